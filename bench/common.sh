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

# What every benched node and simulator is given: the broker at 127.0.0.1:$1, the example flows,
# an abuse guard the simulator's repeating destinations stay under, /metrics at port $1 + 2.
# The benches' ports lie below Linux's ephemeral range (32768-60999): a client's connection could
# hold one there, and a node that cannot listen on its port does not start.
node_env() {
  export IVRCAST_KAFKA_BROKERS="127.0.0.1:$1" IVRCAST_NODE_LOG_LEVEL=info \
    IVRCAST_FLOWS_FILE="$root/config/flows.example.json" IVRCAST_ABUSE_MAX_SMS=1000 \
    IVRCAST_HTTP_LISTEN="127.0.0.1:$(($1 + 2))"
}
# `ivrcast run` ($bin) as run $1, with topics, both consumer groups and a data directory of its
# own, its output in $work/node-$1.{out,log}; sets $node_pid. Returns once both groups
# (calls.events, sms.jobs) hold their partitions: a new SMS group can join seconds after the call
# path's, and a measurement begun before would leave out the SMS jobs' work.
node_start() {
  export IVRCAST_KAFKA_TOPIC_PREFIX="bench.$1." IVRCAST_KAFKA_GROUP_ID="bench-$1" \
    IVRCAST_SMS_GROUP_ID="bench-$1-sms" IVRCAST_NODE_DATA_DIR="$work/data-$1"
  "$bin" run > "$work/node-$1.out" 2> "$work/node-$1.log" &
  node_pid=$!
  local assigned="event=partitions_assigned topic=bench.$1"
  for _ in $(seq 1 600); do
    grep -q "$assigned.calls.events " "$work/node-$1.log" 2>/dev/null &&
      grep -q "$assigned.sms.jobs " "$work/node-$1.log" && return 0
    sleep 0.1
  done
  echo "node $1 did not join its groups; see $work/node-$1.log" >&2
  return 1
}
# Stops the node gracefully, so that it leaves its groups at once.
node_stop() {
  [[ -n "${node_pid:-}" ]] || return 0
  kill "$node_pid" 2>/dev/null || true
  wait "$node_pid" 2>/dev/null || true
  node_pid=""
}
# CPU time (clock ticks) process $1 has used so far.
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
# Field $2 of the RESULT line in file $1.
field() { sed -E "s/.* $2=([0-9.]+).*/\1/" "$1"; }
