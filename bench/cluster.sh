#!/usr/bin/env bash
# Scaling benchmark: 1, 2 and 3 `ivrcast run` nodes on the same real single-node Kafka, driven
# by `ivrcast sim` (calls as fast as they go) with simulated carriers in every node. Prints, for
# each size: calls/s at saturation, SMS parts submitted/s while the calls ran, each node's CPU
# (% of one core) and the ratio to one node, so the scaling per node reads as a ratio on a
# machine whose cores the nodes, the simulator and the broker share.
# Usage: bench/cluster.sh [calls per run]   (default 20000; ./dev bench builds first)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
# shellcheck source=bench/common.sh
source "$root/bench/common.sh"
bin="${IVRCAST_BUILD_DIR:-$root/build/default}/actors/ivrcast"
calls="${1:-20000}"
port=17492
bench_work bench-cluster
"$root/deploy/kafka/kafka.sh" start --port "$port" --dir "$work/kafka"
hz=$(getconf CLK_TCK)

export IVRCAST_KAFKA_BROKERS="127.0.0.1:$port"
export IVRCAST_NODE_LOG_LEVEL=info
export IVRCAST_FLOWS_FILE="$root/config/flows.example.json"
export IVRCAST_HTTP_LISTEN=127.0.0.1:0  # each node's /metrics
export IVRCAST_ABUSE_MAX_SMS=1000
export IVRCAST_KAFKA_SESSION_TIMEOUT_MS=3000
export IVRCAST_SMS_SIMULATE_CARRIERS=true
export IVRCAST_SMS_SIMULATOR_MIX=delivered=100
for c in AU DOCOMO SOFTBANK RAKUTEN; do  # the carriers' limits out of the way: the nodes measured
  export "IVRCAST_SMS_${c}_RATE=1000000" "IVRCAST_SMS_${c}_CONNECTIONS=6"
done
cd "$root"

parts() {  # SMS parts accepted so far by the nodes of run $1 (their /metrics)
  local total=0 n addr
  for f in "$work"/node-"$1"-*.log; do
    addr=$(grep -o 'event=http_listening address=[0-9.:]*' "$f" | head -1 | cut -d= -f3)
    n=$(curl -s "http://$addr/metrics" | awk '/^ivrcast_sms_parts_accepted_total / {print $2}')
    total=$((total + ${n:-0}))
  done
  echo "$total"
}

echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo)"
declare -A base
for n in 1 2 3; do
  export IVRCAST_KAFKA_TOPIC_PREFIX="bench.cluster$n."
  export IVRCAST_KAFKA_GROUP_ID="bench-cluster$n"
  export IVRCAST_SMS_GROUP_ID="bench-cluster$n-sms"
  pids=()
  for i in $(seq 1 "$n"); do
    IVRCAST_NODE_ID="node-$i" IVRCAST_NODE_DATA_DIR="$work/data-$n-$i" \
      "$bin" run > "$work/node-$n-$i.out" 2> "$work/node-$n-$i.log" &
    pids+=($!)
  done
  # Ready when every node holds calls.events partitions and the group has been quiet for 3 s.
  for _ in $(seq 1 1200); do
    ready=1
    for i in $(seq 1 "$n"); do
      grep -q "partitions_assigned topic=bench.cluster$n.calls.events" "$work/node-$n-$i.log" \
        2>/dev/null || ready=0
    done
    if [[ $ready == 1 ]]; then
      last=$(cat "$work"/node-"$n"-*.log | grep -c "partitions_\(assigned\|revoked\)")
      sleep 3
      now=$(cat "$work"/node-"$n"-*.log | grep -c "partitions_\(assigned\|revoked\)")
      [[ $now == "$last" ]] && break
    fi
    sleep 0.1
  done
  declare -A t0=()
  for p in "${pids[@]}"; do t0[$p]=$(cpu_ticks "$p"); done
  parts0=$(parts "$n")
  start=$(date +%s.%N)
  "$bin" sim --calls "$calls" --rate 1000000 --seconds 600 2> "$work/sim-$n.log" |
    grep '^RESULT' > "$work/sim-$n.result"
  end=$(date +%s.%N)
  parts1=$(parts "$n")
  rate=$(sed -E 's/.*calls_per_s=([0-9]+).*/\1/' "$work/sim-$n.result")
  secs=$(echo "$end - $start" | bc -l)
  sms=$(echo "($parts1 - $parts0) / $secs" | bc -l)
  cpus=""
  for p in "${pids[@]}"; do
    cpus+=" $(echo "($(cpu_ticks "$p") - ${t0[$p]}) * 100 / $hz / $secs" | bc -l | xargs printf '%.0f')%"
  done
  [[ $n == 1 ]] && base[calls]=$rate && base[sms]=$sms
  printf 'nodes=%d calls/s=%d (x%.2f of 1 node) sms_parts/s=%.0f (x%.2f) node_cpu=[%s ] %s\n' \
    "$n" "$rate" "$(echo "$rate / ${base[calls]}" | bc -l)" "$sms" \
    "$(echo "$sms / ${base[sms]}" | bc -l)" "$cpus" \
    "$(sed -E 's/.*(p50_ms=[0-9.]+ p99_ms=[0-9.]+).*/\1/' "$work/sim-$n.result")"
  for p in "${pids[@]}"; do kill "$p"; done
  wait "${pids[@]}" 2>/dev/null || true
done
