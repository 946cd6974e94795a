# Sourced by the benchmarks (needs $root). A build tree's node reads the source tree's data (an
# installed one reads share/ivrcast).
export IVRCAST_SMS_NUMBER_RANGES="$root/config/carriers/number_ranges.csv"
export IVRCAST_SMS_PORTED="$root/config/carriers/ported.csv"
export IVRCAST_SMTP_TEMPLATES="$root/config/mail"

# A fresh work directory build/$1 ($work), and on exit: the processes in $pids killed and the
# broker started in $work/kafka stopped.
bench_work() {
  work="$root/build/$1"
  rm -rf "$work"
  mkdir -p "$work"
  pids=()
  trap bench_cleanup EXIT
}
bench_cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  "$root/deploy/kafka/kafka.sh" stop --dir "$work/kafka" || true
}
