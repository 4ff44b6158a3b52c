#!/usr/bin/env bash
# The KCP loss benchmark (docs/benchmarks.md, "KCP under loss"): request/response latency of 64-byte
# messages at 20 requests a second per client, over TCP and over KCP, across a lossy link.
#
# It creates two network namespaces joined by a veth pair (10.77.0.1 gateway, 10.77.0.2 clients) and
# makes the link lossy in both directions. With the sch_netem qdisc it adds the issue's 20 ms delay and
# 5% loss (tc netem); on kernels without netem it drops 5% of the packets entering each namespace with
# iptables' statistic match and adds no delay, and says so. Traffic never leaves the namespaces, which
# are removed on exit. Needs root, iproute2, iptables (installed with apt-get when missing) and a build
# (mvn -pl janus-bench -am package -DskipTests).
#
# usage: scripts/bench-loss.sh [duration-seconds, default 60] [clients, default 20]
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION=${1:-60}
CLIENTS=${2:-20}
JAR=janus-bench/target/janus-bench.jar
GW=janus-loss-gw
CL=janus-loss-cl
[ "$(id -u)" -eq 0 ] || { echo "run as root: it creates network namespaces" >&2; exit 1; }
[ -f "$JAR" ] || mvn -B -q -ntp package -pl janus-bench -am -DskipTests
command -v iptables >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq iptables; }

cleanup() {
  [ -n "${GW_PID:-}" ] && kill "$GW_PID" 2>/dev/null || true
  ip netns del "$GW" 2>/dev/null || true
  ip netns del "$CL" 2>/dev/null || true
}
trap cleanup EXIT
cleanup

ip netns add "$GW"
ip netns add "$CL"
ip link add jl-gw type veth peer name jl-cl
ip link set jl-gw netns "$GW"
ip link set jl-cl netns "$CL"
ip -n "$GW" addr add 10.77.0.1/24 dev jl-gw
ip -n "$CL" addr add 10.77.0.2/24 dev jl-cl
for ns in "$GW" "$CL"; do ip -n "$ns" link set lo up; done
ip -n "$GW" link set jl-gw up
ip -n "$CL" link set jl-cl up

if ip netns exec "$GW" tc qdisc add dev jl-gw root netem delay 20ms loss 5% 2>/dev/null \
   && ip netns exec "$CL" tc qdisc add dev jl-cl root netem delay 20ms loss 5% 2>/dev/null; then
  LINK="netem: 20 ms delay and 5% loss each way"
else
  ip netns exec "$GW" iptables -A INPUT -i jl-gw -m statistic --mode random --probability 0.05 -j DROP
  ip netns exec "$CL" iptables -A INPUT -i jl-cl -m statistic --mode random --probability 0.05 -j DROP
  LINK="iptables statistic: 5% loss each way, no added delay (this kernel has no sch_netem)"
fi
echo "link: $LINK"

ip netns exec "$GW" java -cp "$JAR" io.janus.bench.loss.LossBench gateway --tcp-port 7000 --kcp-port 7001 \
  > /tmp/janus-loss-gateway.log 2>&1 &
GW_PID=$!
for _ in $(seq 1 60); do
  grep -q "loss-bench gateway" /tmp/janus-loss-gateway.log 2>/dev/null && break
  sleep 0.5
done
grep -q "loss-bench gateway" /tmp/janus-loss-gateway.log || { cat /tmp/janus-loss-gateway.log; exit 1; }

for t in tcp:7000 kcp:7001; do
  ip netns exec "$CL" java -cp "$JAR" io.janus.bench.loss.LossBench client --transport "${t%%:*}" \
    --target 10.77.0.1 --port "${t##*:}" --clients "$CLIENTS" --rate 20 --size 64 --duration "$DURATION" \
    --warmup 5 | grep '^RESULT'
done
