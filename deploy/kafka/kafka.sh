#!/usr/bin/env bash
# A real single-node Apache Kafka (KRaft) on loopback, from Maven Central jars.
#   kafka.sh fetch                          download the broker jars (mvn) into deploy/kafka/.jars
#   kafka.sh start [--port 9092] [--dir D]  format a fresh log dir, start, wait until ready
#   kafka.sh stop  [--dir D]                stop the broker started with the same --dir
#   kafka.sh restart [--dir D]              stop and start it again on the same data
#   kafka.sh status [--dir D]
# Brokers for ivrcast: kafka.brokers = 127.0.0.1:<port>
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
jars="$here/.jars"
port=9092
dir="$here/.run"
cmd="${1:-}"
shift || true
while [[ $# -gt 0 ]]; do
  case "$1" in
    --port) port="$2"; shift 2 ;;
    --dir) dir="$2"; shift 2 ;;
    *) echo "kafka.sh: unknown option $1" >&2; exit 2 ;;
  esac
done

fetch() {
  if [[ -f "$jars/.complete" ]]; then return 0; fi
  echo "kafka.sh: fetching Kafka jars from Maven Central into $jars" >&2
  rm -rf "$jars"
  mvn -q -B -f "$here/pom.xml" dependency:copy-dependencies -DincludeScope=runtime \
      -DoutputDirectory="$jars" >&2
  touch "$jars/.complete"
}

pid_of() { [[ -f "$dir/kafka.pid" ]] && cat "$dir/kafka.pid" || true; }

running() {
  local pid; pid="$(pid_of)"
  [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null
}

start() {
  fetch
  if running; then stop; fi
  rm -rf "$dir"
  mkdir -p "$dir/logs" "$dir/data"
  local cport=$((port + 1))
  cat > "$dir/server.properties" <<PROPS
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:$cport
listeners=PLAINTEXT://127.0.0.1:$port,CONTROLLER://127.0.0.1:$cport
advertised.listeners=PLAINTEXT://127.0.0.1:$port
controller.listener.names=CONTROLLER
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
log.dirs=$dir/data
num.partitions=6
offsets.topic.replication.factor=1
offsets.topic.num.partitions=6
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
group.initial.rebalance.delay.ms=0
# ivrcast nodes use kafka.session_timeout_ms = 3000 so that a dead node's callers wait little
group.min.session.timeout.ms=1000
auto.create.topics.enable=false
log.cleaner.enable=true
PROPS
  cat > "$dir/log4j.properties" <<PROPS
log4j.rootLogger=INFO, file
log4j.appender.file=org.apache.log4j.FileAppender
log4j.appender.file.File=$dir/logs/server.log
log4j.appender.file.layout=org.apache.log4j.PatternLayout
log4j.appender.file.layout.ConversionPattern=[%d] %p %m (%c)%n
PROPS
  local java_opts=(-Xms256m -Xmx1g "-Dlog4j.configuration=file:$dir/log4j.properties"
                   -cp "$jars/*")
  local cluster_id
  cluster_id="$(head -c 16 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=' | head -c 22)"
  if ! java "${java_opts[@]}" kafka.tools.StorageTool format --cluster-id="$cluster_id" \
       -c "$dir/server.properties" > "$dir/logs/format.log" 2>&1; then
    echo "kafka.sh: formatting the log dir failed:" >&2
    tail -n 5 "$dir/logs/format.log" >&2
    return 1
  fi
  launch
}

# Starts the broker on the log dir as it is (start formats it first) and waits until it is ready.
launch() {
  local java_opts=(-Xms256m -Xmx1g -Dlog4j.configuration="file:$dir/log4j.properties" -cp "$jars/*")
  : > "$dir/logs/server.log"
  nohup java "${java_opts[@]}" kafka.Kafka "$dir/server.properties" \
       > "$dir/logs/stdout.log" 2>&1 &
  echo $! > "$dir/kafka.pid"
  # Ready when the log says so; give up after 120 s.
  for _ in $(seq 1 1200); do
    if grep -q "Kafka Server started" "$dir/logs/server.log" 2>/dev/null; then
      echo "kafka.sh: broker ready at 127.0.0.1:$port (pid $(pid_of), dir $dir)" >&2
      return 0
    fi
    if ! running; then
      echo "kafka.sh: broker exited; see $dir/logs" >&2
      tail -20 "$dir/logs/stdout.log" >&2 || true
      return 1
    fi
    sleep 0.1
  done
  echo "kafka.sh: broker not ready after 120 s; see $dir/logs" >&2
  return 1
}

stop() {
  local pid; pid="$(pid_of)"
  if [[ -z "$pid" ]] || ! kill -0 "$pid" 2>/dev/null; then return 0; fi
  kill "$pid"
  for _ in $(seq 1 300); do
    kill -0 "$pid" 2>/dev/null || { rm -f "$dir/kafka.pid"; return 0; }
    sleep 0.1
  done
  kill -9 "$pid" 2>/dev/null || true
  rm -f "$dir/kafka.pid"
}

case "$cmd" in
  fetch) fetch ;;
  start) start ;;
  stop) stop ;;
  restart)  # same data: a broker restart, as a rolling upgrade does
    port="$(sed -n 's/^listeners=PLAINTEXT:\/\/127.0.0.1:\([0-9]*\),.*/\1/p' "$dir/server.properties")"
    stop
    launch ;;
  status) if running; then echo "running (pid $(pid_of))"; else echo "stopped"; exit 1; fi ;;
  *) sed -n '2,7p' "${BASH_SOURCE[0]}" >&2; exit 2 ;;
esac
