#!/usr/bin/env bash
# Runs every harness for the given seconds, two at a time (one per core), from the committed
# corpus plus fresh seeds; inputs that add coverage are merged back into tests/fuzz/corpus.
# A crash leaves its input in <build>/crashes and fails the run.
#   tests/fuzz/run.sh <build dir> <seconds per harness> [harness...]
set -euo pipefail
cd "$(dirname "$0")/../.."
build="$1"
seconds="$2"
shift 2
harnesses=("$@")
[[ ${#harnesses[@]} -gt 0 ]] ||
  harnesses=(call_event sms_job status_event control_record smpp_pdu wav flow_file http_json text)

bin="$build/tests/fuzz"
seeds="$build/fuzz-seeds"
work="$build/fuzz-work"
crashes="$build/crashes"
rm -rf "$seeds"
mkdir -p "$work" "$crashes"
"$bin/ivrcast_fuzz_seeds" "$seeds" "$PWD"

run_one() {
  local h="$1" corpus="tests/fuzz/corpus/$1"
  mkdir -p "$corpus" "$work/$h" "$seeds/$h"
  # -rss_limit_mb: a decoder that holds more than this for one input is a finding too.
  if ! "$bin/${h}_fuzz" "$work/$h" "$corpus" "$seeds/$h" -max_total_time="$seconds" \
      -rss_limit_mb=1024 -max_len=65536 -timeout=10 -print_final_stats=1 \
      -artifact_prefix="$crashes/$h-" > "$build/fuzz-$h.log" 2>&1; then
    echo "fuzz: $h FAILED, see $build/fuzz-$h.log and $crashes" >&2
    return 1
  fi
  "$bin/${h}_fuzz" -merge=1 "$corpus" "$work/$h" "$seeds/$h" > "$build/fuzz-$h-merge.log" 2>&1
  local runs
  runs=$(grep -o 'stat::number_of_executed_units: [0-9]*' "$build/fuzz-$h.log" | tail -1)
  echo "fuzz: $h ok, ${runs##* } executions in ${seconds} s, corpus $(ls "$corpus" | wc -l) files"
}

failed=0
pids=()
for h in "${harnesses[@]}"; do
  run_one "$h" &
  pids+=($!)
  if [[ ${#pids[@]} -ge 2 ]]; then
    wait "${pids[0]}" || failed=1
    pids=("${pids[@]:1}")
  fi
done
for p in "${pids[@]}"; do
  wait "$p" || failed=1
done
exit "$failed"
