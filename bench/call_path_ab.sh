#!/usr/bin/env bash
# A/B of node settings on the call path's latency: on one warm broker, each setting gets a fresh
# node (`ivrcast run`, topics and groups of its own), warmed by 4 s of calls, and `ivrcast sim`
# at a fixed rate for 8 s,
# settings interleaved and their order reversed every other round, so that the machine's drift
# falls on all of them alike. Two runs of the first setting warm the broker up and are not
# counted (a cold broker's first seconds give a p99 of 150-300 ms). Prints every run, then per
# setting the median event -> command p50/p99 and the CPU the broker and the node used per
# 1,000 calls. A single call_path.sh run cannot tell settings apart: its latency varies by ±30%.
# Usage: bench/call_path_ab.sh RATE ROUNDS "SETTING..." "SETTING..." ...
#   a SETTING is VAR=value (an environment override, e.g. IVRCAST_KAFKA_PRODUCER_LINGER_MS=5);
#   "-" is the configuration as it is; IVRCAST_BENCH_NODE=path runs that build of the node (the
#   simulator stays the same), to A/B two commits.
#   e.g. bench/call_path_ab.sh 6000 5 - IVRCAST_KAFKA_PRODUCER_LINGER_MS=5
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
# shellcheck source=bench/common.sh
source "$root/bench/common.sh"
build="$root/build/${IVRCAST_BENCH_BUILD:-default}"
bin="$build/actors/ivrcast"
if (( $# < 3 )); then
  sed -n '9,14p' "$0" >&2
  exit 2
fi
rate=$1 rounds=$2
shift 2
settings=("$@")
port=17395
bench_work bench-ab
"$root/deploy/kafka/kafka.sh" start --port "$port" --dir "$work/kafka"
broker_pid=$(cat "$work/kafka/kafka.pid")
node_env "$port"
cd "$root"
echo "machine: $(nproc) cores; $rate calls/s for 8 s a run, $rounds rounds"

# One run of setting $2 as run $1: prints "p50 p99 broker_ticks node_ticks calls".
measure() (
  [[ "$2" == "-" ]] || for kv in $2; do export "${kv?}"; done
  trap node_stop EXIT
  local sim_bin=$bin
  bin=${IVRCAST_BENCH_NODE:-$bin}
  node_start "$1" || exit 1
  bin=$sim_bin
  # 4 s at the rate first, not measured: a fresh process pays the kernel for every page it
  # touches first, and its p99 then told more about that than about the setting.
  "$bin" sim --calls $((rate * 4)) --rate "$rate" --seconds 600 > /dev/null 2>&1
  local b0 n0 b1 n1 result="$work/sim-$1.result"
  b0=$(cpu_ticks "$broker_pid") n0=$(cpu_ticks "$node_pid")
  "$bin" sim --calls $((rate * 8)) --rate "$rate" --seconds 600 --latency-from-s 1 \
    2> "$work/sim-$1.log" | grep '^RESULT' > "$result"
  b1=$(cpu_ticks "$broker_pid") n1=$(cpu_ticks "$node_pid")
  echo "$(field "$result" p50_ms) $(field "$result" p99_ms) $((b1 - b0)) $((n1 - n0))" \
       "$(field "$result" finished)"
)

measure warm-up-1 "${settings[0]}" > /dev/null
measure warm-up-2 "${settings[0]}" > /dev/null
results="$work/results"
: > "$results"
n=0
for r in $(seq 1 "$rounds"); do
  if (( r % 2 )); then mapfile -t order < <(seq 0 $((${#settings[@]} - 1)))
  else mapfile -t order < <(seq $((${#settings[@]} - 1)) -1 0); fi
  for i in "${order[@]}"; do
    n=$((n + 1))
    line=$(measure "$n" "${settings[$i]}")
    echo "$i $line" >> "$results"
    read -r p50 p99 bt nt _ <<< "$line"
    echo "round $r [${settings[$i]}]: p50 $p50 ms, p99 $p99 ms; broker $bt, node $nt ticks"
  done
done
tick=$(getconf CLK_TCK)
for i in "${!settings[@]}"; do
  awk -v i="$i" -v tick="$tick" -v name="${settings[$i]}" '
    function median(a, n,   k, j, t) {
      for (k = 2; k <= n; k++) for (j = k; j > 1 && a[j - 1] > a[j]; j--) {
        t = a[j]; a[j] = a[j - 1]; a[j - 1] = t }
      return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
    }
    $1 == i { n++; p50[n] = $2; p99[n] = $3; b += $4; c += $5; calls += $6 }
    END {
      printf "RESULT setting=[%s] runs=%d p50_ms=%.1f p99_ms=%.1f broker_cpu_ms_per_1000_calls=%.0f node_cpu_ms_per_1000_calls=%.0f\n",
             name, n, median(p50, n), median(p99, n), b * 1e6 / tick / calls, c * 1e6 / tick / calls
    }' "$results"
done
