#!/usr/bin/env bash
# SIP gateway benchmark: SIPp load on one `ivrcast gateway` with prompts streaming, through one
# `ivrcast run` node on a real single-node Kafka, all on this machine. Prints:
#   1. baseline: SIPp's own UAS at the same call rate (calls/s set up, failures)
#   2. calls/s set up by the gateway (300/s offered, 1 s calls), failures, gateway CPU
#   3. concurrent calls held and streaming (150 calls/s of 15 s), RTP gap p50/p99 as SIPp's
#      media port receives it (tcpdump on lo), gateway CPU per call
# Usage: bench/sip.sh [rate] [concurrent_rate]   (./dev bench builds first)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
# shellcheck source=bench/common.sh
source "$root/bench/common.sh"
build="${IVRCAST_BUILD_DIR:-$root/build/default}"
bin="$build/actors/ivrcast"
gaps="$build/bench/ivrcast_rtp_gaps"
rate="${1:-300}"
hold_rate="${2:-150}"
kport=17492
bench_work bench-sip
"$root/deploy/kafka/kafka.sh" start --port "$kport" --dir "$work/kafka" >/dev/null

export IVRCAST_KAFKA_BROKERS="127.0.0.1:$kport"
export IVRCAST_KAFKA_TOPIC_PREFIX="bench-sip."
export IVRCAST_NODE_DATA_DIR="$work/node"
export IVRCAST_FLOWS_FILE="$root/config/flows.example.json"
export IVRCAST_HTTP_LISTEN="127.0.0.1:18080"
export IVRCAST_HTTP_PUBLIC_URL="http://127.0.0.1:18080"
export IVRCAST_IVR_DIGIT_TIMEOUT_MS=60000  # callers listen, then wait with comfort silence
export IVRCAST_DEMO_SUMMARY_INTERVAL_S=1
export IVRCAST_GATEWAY_ID=bench-gw
export IVRCAST_GATEWAY_SIP_LISTEN=127.0.0.1:15060
export IVRCAST_GATEWAY_RTP_PORTS=20000-29999
export IVRCAST_GATEWAY_RTP_TIMEOUT_S=0     # SIPp sends no RTP
export IVRCAST_GATEWAY_STATE_DIR="$work/gateway"
export IVRCAST_GATEWAY_REALTIME_PRIORITY="${IVRCAST_GATEWAY_REALTIME_PRIORITY:-10}"
cd "$root"

wait_log() {  # $1 file, $2 pattern
  for _ in $(seq 1 600); do grep -q "$2" "$1" 2>/dev/null && return 0; sleep 0.1; done
  echo "timed out waiting for '$2' in $1" >&2; exit 1
}
hz=$(getconf CLK_TCK)

"$bin" run > "$work/node.out" 2> "$work/node.log" & pids+=($!)
wait_log "$work/node.log" "event=partitions_assigned"
"$bin" gateway > "$work/gateway.out" 2> "$work/gateway.log" & gw=$!; pids+=($gw)
wait_log "$work/gateway.log" "event=gateway_started"

sipp_run() {  # $1 target, $2 name, then SIPp options; prints "ok failed seconds"
  local target=$1 name=$2; shift 2
  local start end
  start=$(date +%s.%N)
  sipp -sf "$root/bench/sip/hold.xml" -s 05011110001 "$target" -i 127.0.0.1 -nostdin \
       -trace_stat -stf "$work/$name.csv" -fd 1 "$@" > "$work/$name.out" 2>&1 || true
  end=$(date +%s.%N)
  local line
  line=$(tail -1 "$work/$name.csv")
  local header
  header=$(head -1 "$work/$name.csv")
  local ok_col fail_col
  ok_col=$(echo "$header" | tr ';' '\n' | grep -n '^SuccessfulCall(C)$' | cut -d: -f1)
  fail_col=$(echo "$header" | tr ';' '\n' | grep -n '^FailedCall(C)$' | cut -d: -f1)
  echo "$(echo "$line" | cut -d';' -f"$ok_col") $(echo "$line" | cut -d';' -f"$fail_col")" \
       "$(echo "$end - $start" | bc)"
}

echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo)"

# 1. Baseline: SIPp's built-in UAS answers the same scenario (no Kafka, no media).
sipp -sn uas -i 127.0.0.1 -p 15090 -nostdin > "$work/uas.out" 2>&1 & uas=$!; pids+=($uas)
calls=$((rate * 10))
read -r ok failed secs < <(sipp_run 127.0.0.1:15090 baseline -d 1000 -r "$rate" -m "$calls" -l 5000 -p 15091 -mp 16000)
kill "$uas" 2>/dev/null || true
base_rate=$(echo "$ok / ($secs - 1)" | bc -l)
printf "baseline (sipp uas): %d calls ok, %d failed, %.0f calls/s set up\n" "$ok" "$failed" "$base_rate"

# 2. Set-up rate through the gateway: offered $rate calls/s of 1 s each.
t0=$(cpu_ticks "$gw")
read -r ok failed secs < <(sipp_run 127.0.0.1:15060 setup -d 1000 -r "$rate" -m "$calls" -l 5000 -p 15092 -mp 16100)
t1=$(cpu_ticks "$gw")
gw_rate=$(echo "$ok / ($secs - 1)" | bc -l)
printf "gateway: %d calls ok, %d failed, %.0f calls/s set up (%.2f of baseline), gateway CPU %.0f%% of a core\n" \
       "$ok" "$failed" "$gw_rate" "$(echo "$gw_rate / $base_rate" | bc -l)" \
       "$(echo "($t1 - $t0) * 100 / $hz / $secs" | bc -l)"

# 3. Concurrency: $hold_rate calls/s of 15 s each stream prompts, then comfort silence.
hold_calls=$((hold_rate * 30))
sipp_run 127.0.0.1:15060 hold -d 15000 -r "$hold_rate" -m "$hold_calls" -l 10000 -p 15093 -mp 16200 \
  > "$work/hold.result" &
hold=$!
sleep 17  # past the first 15 s: the number of live calls is steady (benchmark pacing, not a test)
live=$({ grep -o "event=gateway_summary live=[0-9]*" "$work/gateway.out" || echo "live=0"; } | tail -1 | cut -d= -f3)
c0=$(cpu_ticks "$gw")
if [[ -n "${SIP_BENCH_PERF:-}" ]]; then  # where the gateway's time goes: perf report -i ...
  perf record -g -p "$gw" -o "$work/perf.data" -- sleep 5 > /dev/null 2>&1
else
  sleep 5
fi
c1=$(cpu_ticks "$gw")
# Then 3 s of capture (tcpdump's packet tap costs the sender CPU on lo: not in the figure above).
timeout 3 tcpdump -i lo -n -s 54 -B 65536 -w "$work/rtp.pcap" udp and dst port 16200 \
  > /dev/null 2>&1 || true
live_after=$({ grep -o "event=gateway_summary live=[0-9]*" "$work/gateway.out" || echo "live=0"; } | tail -1 | cut -d= -f3)
wait "$hold"
read -r ok failed secs < "$work/hold.result"
cpu=$(echo "($c1 - $c0) / $hz / 5" | bc -l)
echo "concurrent: $live live calls streaming ($live_after 5 s later), $ok calls ok, $failed failed"
printf "gateway CPU %.0f%% of a core, %.1f us per call-second (%.3f%% of a core per call)\n" \
       "$(echo "$cpu * 100" | bc -l)" "$(echo "$cpu * 1000000 / $live" | bc -l)" \
       "$(echo "$cpu * 100 / $live" | bc -l)"
"$gaps" "$work/rtp.pcap"
grep -o "event=gateway_summary.*" "$work/gateway.out" | tail -1 || true
