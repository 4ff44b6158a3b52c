#!/usr/bin/env bash
# Starts a gateway from a configuration directory (docs/configuration.md):
#   scripts/launcher.sh --config DIR [--check]
# A game's own jar (its Supplier<GameHandlers> class, its plugins) goes in GAME_CLASSPATH, ':'-separated.
# JAVA_OPTS is passed to the JVM. JANUS_* variables override configuration keys, so none is used here.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
jar="$root/janus-examples/target/janus-launcher.jar"
if [ ! -f "$jar" ]; then
  echo "launcher.sh: $jar is missing; build it with: mvn -B -pl janus-examples -am package -DskipTests" >&2
  exit 2
fi
# exec: the JVM receives SIGTERM directly and drains.
exec java ${JAVA_OPTS:-} -cp "$jar${GAME_CLASSPATH:+:$GAME_CLASSPATH}" io.janus.examples.launcher.Launcher "$@"
