#!/usr/bin/env bash
# Runs the whole Janus test suite, as CI does (.ci/run calls exactly this).
#
# On a fresh Debian/Ubuntu machine with a JDK 17+ and Maven, it first installs what the integration
# tests start as real processes (redis-server; etcd from the etcd-server package; kcptun, the
# independent KCP peer; chromium, the headless browser of the WebSocket and browser-client tests; the
# JavaScript client's npm dev dependencies), using apt-get as root or through sudo and npm ci, and only
# when they are missing.
set -euo pipefail
cd "$(dirname "$0")/.."

need=()
command -v redis-server >/dev/null 2>&1 || need+=(redis-server)
command -v etcd >/dev/null 2>&1 || need+=(etcd-server)
command -v kcptun-client >/dev/null 2>&1 || need+=(kcptun)
{ command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1; } || need+=(chromium)
if [ ${#need[@]} -gt 0 ]; then
  echo "Installing test servers: ${need[*]}"
  sudo_cmd=()
  [ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)
  export DEBIAN_FRONTEND=noninteractive
  if ! { "${sudo_cmd[@]}" apt-get update -qq && \
         "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${need[@]}"; }; then
    echo "WARNING: could not install ${need[*]}; the tests that start them will fail and say so." >&2
  fi
  # The packages may start system-wide daemons on the default ports; the tests start their own on
  # free ports and do not need them.
  for svc in redis-server etcd; do
    "${sudo_cmd[@]}" systemctl disable --now "$svc" >/dev/null 2>&1 || true
  done
fi

# The JavaScript client's tests: node_modules (npm ci) and chromium; the browser tests skip, saying
# what is missing, when this cannot install them.
scripts/js-deps.sh || echo "WARNING: scripts/js-deps.sh could not install everything; browser tests will skip." >&2

exec mvn -B -ntp verify "$@"
