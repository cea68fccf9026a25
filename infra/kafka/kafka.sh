#!/usr/bin/env bash
# Runs a real single-node Apache Kafka 3.9 broker (KRaft) without Docker.
#
#   infra/kafka/kafka.sh fetch    copy the broker jars from Maven Central into the cache
#   infra/kafka/kafka.sh start    fetch if needed, format storage, start, wait until it accepts connections
#   infra/kafka/kafka.sh stop     stop the broker started from this data directory
#   infra/kafka/kafka.sh status   say whether it runs, and where
#
# Settings (environment):
#   KAFKA_PORT        client port on 127.0.0.1 (default 19092); the controller uses KAFKA_PORT+1
#   KAFKA_DATA_DIR    storage, pid and log (default <repo>/var/kafka/<port>)
#   KAFKA_CACHE_DIR   where jars are cached, outside git (default ~/.cache/concerto/kafka-<version>)
#   KAFKA_HEAP        JVM heap (default 512m)
#   KAFKA_START_TIMEOUT seconds to wait for the port (default 90)
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
version="$(sed -n 's:.*<kafka.version>\(.*\)</kafka.version>.*:\1:p' "$here/pom.xml")"
port="${KAFKA_PORT:-19092}"
controller_port=$((port + 1))
data="${KAFKA_DATA_DIR:-$root/var/kafka/$port}"
cache="${KAFKA_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/concerto/kafka-$version}"
heap="${KAFKA_HEAP:-512m}"
timeout="${KAFKA_START_TIMEOUT:-90}"
pidfile="$data/broker.pid"

log() { printf 'kafka: %s\n' "$*" >&2; }

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# The port opens a moment before the broker serves requests; the server log says when it has.
ready() { port_open "$port" && grep -q "Kafka Server started" "$data/logs/server.log" 2>/dev/null; }

running() { [ -f "$pidfile" ] && kill -0 "$(cat "$pidfile")" 2>/dev/null; }

fetch() {
  if [ -f "$cache/libs/.complete" ]; then return 0; fi
  log "fetching Apache Kafka $version jars from Maven Central into $cache/libs"
  mkdir -p "$cache/libs"
  mvn -B -q -f "$here/pom.xml" dependency:copy-dependencies \
    -DincludeScope=runtime -DoutputDirectory="$cache/libs" >&2
  touch "$cache/libs/.complete"
}

java_opts=(-Xms128m "-Xmx$heap" -XX:+UseG1GC -Djava.awt.headless=true
  "-Dlog4j.configuration=file:$here/log4j.properties" "-Dkafka.logs.dir=$data/logs"
  -cp "$cache/libs/*")

write_properties() {
  mkdir -p "$data/logs" "$data/storage"
  sed -e "s#@PORT@#$port#g" -e "s#@CONTROLLER_PORT@#$controller_port#g" -e "s#@STORAGE@#$data/storage#g" \
    "$here/server.properties.in" >"$data/server.properties"
}

start() {
  if running; then log "already running (pid $(cat "$pidfile")) on 127.0.0.1:$port"; return 0; fi
  if port_open "$port"; then log "port $port is taken by another process"; exit 1; fi
  fetch
  write_properties
  if [ ! -f "$data/storage/meta.properties" ]; then
    cluster_id="$(java "${java_opts[@]}" kafka.tools.StorageTool random-uuid | tail -n 1)"
    java "${java_opts[@]}" kafka.tools.StorageTool format -t "$cluster_id" -c "$data/server.properties" >"$data/logs/format.log" 2>&1
  fi
  : >"$data/logs/server.log"
  nohup java "${java_opts[@]}" kafka.Kafka "$data/server.properties" >"$data/logs/stdout.log" 2>&1 &
  echo $! >"$pidfile"
  local waited=0
  until ready; do
    if ! running; then log "broker exited; see $data/logs/stdout.log"; tail -n 30 "$data/logs/stdout.log" >&2; exit 1; fi
    if [ "$waited" -ge $((timeout * 4)) ]; then log "not accepting connections after ${timeout}s"; stop; exit 1; fi
    sleep 0.25; waited=$((waited + 1))
  done
  log "running (pid $(cat "$pidfile")) on 127.0.0.1:$port, data in $data"
}

stop() {
  if ! running; then log "not running"; rm -f "$pidfile"; return 0; fi
  local pid; pid="$(cat "$pidfile")"
  kill "$pid"
  for _ in $(seq 1 120); do kill -0 "$pid" 2>/dev/null || break; sleep 0.25; done
  if kill -0 "$pid" 2>/dev/null; then log "did not stop in 30s, killing"; kill -9 "$pid"; fi
  rm -f "$pidfile"
  log "stopped"
}

status() {
  if running; then echo "running pid=$(cat "$pidfile") bootstrap=127.0.0.1:$port data=$data"
  else echo "stopped bootstrap=127.0.0.1:$port data=$data"; return 3; fi
}

case "${1:-}" in
  fetch) fetch ;;
  start) start ;;
  stop) stop ;;
  status) status ;;
  *) echo "usage: $0 fetch|start|stop|status" >&2; exit 2 ;;
esac
