#!/usr/bin/env bash
# SMS benchmarks (run by `./dev bench` after the call path):
#   1. submits/s: one node on a real single-node Kafka sending jobs to simulated SMSCs over
#      loopback SMPP, receipts included (100,000 single-part messages by default)
#   2. delivery log: search latency p50/p99 and CSV export rows/s over 10 million rows
# Usage: bench/sms.sh [jobs] [rows]
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
# shellcheck source=bench/common.sh
source "$root/bench/common.sh"
bin="$root/build/${IVRCAST_BENCH_BUILD:-default}/bench/ivrcast_sms_bench"  # ci: the CI preset's binaries
jobs="${1:-100000}"
rows="${2:-10000000}"
port=17393
work="$root/build/bench-sms"
rm -rf "$work"
mkdir -p "$work"
trap '"$root/deploy/kafka/kafka.sh" stop --dir "$work/kafka" || true' EXIT
"$root/deploy/kafka/kafka.sh" start --port "$port" --dir "$work/kafka"
cd "$root"
IVRCAST_KAFKA_BROKERS="127.0.0.1:$port" "$bin" submits "$jobs"
"$root/deploy/kafka/kafka.sh" stop --dir "$work/kafka"
"$bin" log "$rows"
