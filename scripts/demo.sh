#!/usr/bin/env bash
# Builds Janus and runs the embedded demo: a gateway with the demo game in-process, and a scripted
# client that connects over TCP and prints what it does. Pass --serve to keep the gateway running.
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -B -q -ntp install -DskipTests
exec java -jar janus-examples/target/janus-demo.jar "$@"
