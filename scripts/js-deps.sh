#!/usr/bin/env bash
# Installs what the JavaScript client's tests need, when missing:
#   - Node.js 20 or later (checked only: install it from your distribution or nodejs.org);
#   - the npm dev dependencies of janus-client-js (playwright-core, ws), with `npm ci`;
#   - Debian's chromium (apt-get, as root or through sudo), driven headless by the browser e2e test.
# Idempotent: does nothing when everything is present. Exit status 1 when something could not be
# installed; the JUnit tests then skip, saying what is missing.
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
client="$root/janus-client-js"
status=0

if command -v node >/dev/null 2>&1 && node -e 'process.exit(+process.versions.node.split(".")[0] >= 20 ? 0 : 1)'; then
  echo "js-deps: node $(node --version)"
else
  echo "js-deps: Node.js 20 or later is required (WebCrypto X25519 and Ed25519); install it first" >&2
  status=1
fi

if [ -f "$client/node_modules/playwright-core/package.json" ] && [ -f "$client/node_modules/ws/package.json" ]; then
  echo "js-deps: playwright-core and ws present in janus-client-js/node_modules"
elif command -v npm >/dev/null 2>&1; then
  echo "js-deps: npm ci in janus-client-js"
  (cd "$client" && npm ci --no-audit --no-fund)
else
  echo "js-deps: npm is missing, cannot install playwright-core and ws" >&2
  status=1
fi

if [ -x /usr/bin/chromium ] || [ -x /usr/bin/chromium-browser ]; then
  echo "js-deps: chromium present"
else
  if [ "$(id -u)" -eq 0 ]; then
    sudo=""
  elif command -v sudo >/dev/null 2>&1; then
    sudo="sudo"
  else
    echo "js-deps: chromium is missing and neither root nor sudo is available" >&2
    exit 1
  fi
  echo "js-deps: installing Debian's chromium"
  $sudo apt-get update -q
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q chromium
fi

exit "$status"
