#!/usr/bin/env bash
# Call-path benchmark: one node (`ivrcast run`) on a real single-node Kafka, driven by the
# gateway simulator (`ivrcast sim`) in another process. Prints:
#   1. memory per 100k concurrent sessions (node RSS delta with 100k live calls held open)
#   2. saturation throughput in calls/s (100k calls of the demo mix as fast as possible, on a
#      node that has served the same burst once)
#   3. event -> command latency p50/p99 at half the measured throughput (10 s, counted from 1 s;
#      the second of two turns, node then baseline)
#   4. the CPU the broker and the node use while the node is idle
# each beside its raw baseline (plain librdkafka on the same broker, ivrcast_kafka_raw), measured
# once the node has read everything the burst left it (all its readers' lag 0), and the records
# the node wrote per call beside the baseline's.
# Usage: bench/call_path.sh [calls]   (default 100000; ./dev bench builds first)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
# shellcheck source=bench/common.sh
source "$root/bench/common.sh"
build="$root/build/${IVRCAST_BENCH_BUILD:-default}"  # ci: the CI preset's binaries
bin="$build/actors/ivrcast"
calls="${1:-100000}"
port=17392
work="$root/build/bench"
rm -rf "$work"
mkdir -p "$work"
node_pid=""
cleanup() {
  [[ -n "$node_pid" ]] && kill "$node_pid" 2>/dev/null && wait "$node_pid" 2>/dev/null || true
  "$root/deploy/kafka/kafka.sh" stop --dir "$work/kafka" || true
}
trap cleanup EXIT
"$root/deploy/kafka/kafka.sh" start --port "$port" --dir "$work/kafka"

node_env "$port"
export IVRCAST_DEMO_SUMMARY_INTERVAL_S=1
cd "$root"

rss_kb() { awk '/^VmRSS/ {print $2}' "/proc/$node_pid/status"; }
sim() { "$bin" sim "$@" 2> "$work/sim.log" | grep '^RESULT'; }
# Waits until every reader of the node has read its partitions to the end (the SMS, the log and
# the counts the burst left behind), so that the baselines and the latency run get the cores.
settle() {
  local t0=$SECONDS lag
  for _ in $(seq 1 3000); do
    lag=$(curl -s "http://$IVRCAST_HTTP_LISTEN/metrics" |
          awk '/^ivrcast_consumer_lag\{/ {s += $2; n++} END {print n ? s : -1}')
    if [[ "$lag" == 0 ]]; then
      echo "settled: the node read the burst's backlog in $((SECONDS - t0)) s"
      return 0
    fi
    sleep 0.2
  done
  echo "node still has $lag records to read after 600 s; see $work/node-throughput.log" >&2
  exit 1
}

echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo)"

node_start memory
base=$(rss_kb)
sim --calls "$calls" --rate 20000 --mix hold=1 --seconds 600 > "$work/memory.result"
held=$(rss_kb)
echo "memory: node RSS $((base / 1024)) MiB idle, $((held / 1024)) MiB with $calls live sessions" \
     "-> $(( (held - base) * 1024 / calls )) B per session," \
     "$(( (held - base) * 100000 / calls / 1024 )) MiB per 100k"
node_stop

node_start throughput
# A node in service has its memory in use: the first burst on a fresh process also pays the
# kernel for every page it touches first (a fifth of the node's CPU in page clearing, by
# perf), the way the raw baseline's clients would pay for a first connection. So the node
# serves one burst first, shown but not counted, and the same burst again is measured.
sim --calls "$calls" --rate 1000000 --seconds 600 > "$work/first-burst.result"
echo "first burst on a fresh node: $(field "$work/first-burst.result" calls_per_s) calls/s (not counted)"
settle
run="$work/throughput.result"
sim --calls "$calls" --rate 1000000 --seconds 600 > "$run"
cat "$run"
# The ratio of two figures.
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.2f", a / b}'; }
rate=$(field "$run" calls_per_s)
echo "throughput: $rate calls/s at saturation ($calls calls of the demo mix, the node's second burst)"
settle
# The raw baseline on the same broker: plain librdkafka moving the same events and commands.
raw_kafka() {
  "$build/bench/ivrcast_kafka_raw" "127.0.0.1:$port" "$(field "$run" events)" \
    "$(field "$run" event_bytes)" "$(field "$run" commands)" "$(field "$run" command_bytes)" \
    "$calls" "$@"
}
# What the node wrote for both bursts' calls, topic by topic, beside the baseline's events and
# commands.
"$build/bench/ivrcast_kafka_raw" "127.0.0.1:$port" records "$IVRCAST_KAFKA_TOPIC_PREFIX" \
  > "$work/records.result"
cat "$work/records.result"
echo "records per call: node $(ratio "$(field "$work/records.result" total)" $((2 * calls)))," \
     "raw baseline $(ratio "$(( $(field "$run" events) + $(field "$run" commands) ))" "$calls")"
# The raw transfer lasts a second or two, so one run of it moves by 2x here: three runs, the
# median counts.
for i in 1 2 3; do
  raw_kafka > "$work/raw-$i.result"
  cat "$work/raw-$i.result"
done
raw=$(for i in 1 2 3; do field "$work/raw-$i.result" calls_per_s; done | sort -n | sed -n 2p)
echo "throughput ratio: $rate / $raw raw (median of 3) = $(ratio "$rate" "$raw")"
half=$((rate / 2))
# Latencies count from the second second on: the simulator's and the baseline's own start-up
# (new clients' first requests) is not what either measures. The node and the baseline take
# turns twice and the second turn counts: the first latency run on a broker started minutes
# before came out slower whichever client ran it (on one broker, the first node's p99 at
# 12,400 calls/s was 23-41 ms, a second node's 16-17 ms), and the baseline, which ran after the
# node, got the warmer broker.
latency() { sed -E 's/.*(p50_ms=[0-9.]+ p99_ms=[0-9.]+ max_ms=[0-9.]+).*/\1/' "$1"; }
for turn in 1 2; do
  sim --calls $((half * 10)) --rate "$half" --seconds 600 --latency-from-s 1 \
    > "$work/latency-$turn.result"
  # The same load through plain librdkafka: each command's time since its event was produced.
  raw_kafka "$half" 10 1 > "$work/raw-latency-$turn.result"
  if (( turn == 1 )); then
    echo "latency, first turn (not counted): node $(latency "$work/latency-1.result")," \
      "raw $(latency "$work/raw-latency-1.result")"
  fi
done
echo "latency at $half calls/s: $(latency "$work/latency-2.result")"
cat "$work/raw-latency-2.result"
echo "raw latency at $half calls/s: $(latency "$work/raw-latency-2.result")"
node_p99=$(field "$work/latency-2.result" p99_ms)
raw_p99=$(field "$work/raw-latency-2.result" p99_ms)
echo "latency p99 ratio: $node_p99 / $raw_p99 raw = $(ratio "$node_p99" "$raw_p99")"
# What an idle node costs: every empty fetch is a request the broker answers on the same cores.
broker_pid=$(cat "$work/kafka/kafka.pid")
b0=$(cpu_ticks "$broker_pid") n0=$(cpu_ticks "$node_pid")
sleep 5  # a measuring interval, not synchronisation
b1=$(cpu_ticks "$broker_pid") n1=$(cpu_ticks "$node_pid")
tick=$(getconf CLK_TCK)
echo "idle: broker $(( (b1 - b0) * 100 / (5 * tick) ))% and node $(( (n1 - n0) * 100 / (5 * tick) ))%" \
     "of a core over 5 s with the node idle"
node_stop
