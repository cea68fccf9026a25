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
#   KAFKA_ADMIN_USER  the admin principal, a super user for provisioning and tools (default admin)
#   KAFKA_ADMIN_PASSWORD, KAFKA_BROKER_PASSWORD
#                     SCRAM-SHA-512 passwords of the admin and of the broker itself (required, letters,
#                     digits, - and _; set once, at the first start: the storage is formatted with them)
#
# Security (docs/security.md): on its first start the script makes a certificate authority and the
# broker's certificate (CN=broker, for 127.0.0.1 and localhost) under $KAFKA_DATA_DIR/tls; clients
# trust tls/ca.pem. Every client authenticates with SASL/SCRAM-SHA-512 over TLS; the controller
# listener takes only TLS with a certificate of that CA; the StandardAuthorizer allows nothing
# without an ACL.
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
tls="$data/tls"
admin_user="${KAFKA_ADMIN_USER:-admin}"

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

secret() {  # secret NAME: the value of the environment variable NAME, refused when unset or odd
  local value="${!1:-}"
  if ! [[ "$value" =~ ^[A-Za-z0-9_-]{16,}$ ]]; then
    log "$1 must be set: at least 16 letters, digits, - or _"; exit 2
  fi
  printf '%s' "$value"
}

# The local certificate authority and the broker's key and certificate, made once.
make_tls() {
  if [ -f "$tls/truststore.p12" ]; then return 0; fi
  if ! command -v openssl >/dev/null 2>&1; then
    # A fresh Debian machine may lack the openssl command: install it as Chromium is (root or sudo).
    if [ "$(id -u)" -eq 0 ]; then apt-get update -qq && apt-get install -y -qq openssl >/dev/null
    elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
      sudo apt-get update -qq && sudo apt-get install -y -qq openssl >/dev/null
    else log "the openssl command is needed to make the broker's certificate: sudo apt-get install -y openssl"; exit 2
    fi
  fi
  mkdir -p "$tls"; chmod 700 "$tls"
  local pass; pass="$(store_password)"
  openssl req -x509 -newkey rsa:2048 -nodes -days 3650 -subj "/CN=Concerto local CA" \
    -keyout "$tls/ca.key" -out "$tls/ca.pem" 2>/dev/null
  openssl req -newkey rsa:2048 -nodes -subj "/CN=broker" -keyout "$tls/broker.key" -out "$tls/broker.csr" 2>/dev/null
  printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth,clientAuth\n' >"$tls/broker.ext"
  openssl x509 -req -in "$tls/broker.csr" -CA "$tls/ca.pem" -CAkey "$tls/ca.key" -CAcreateserial \
    -days 825 -extfile "$tls/broker.ext" -out "$tls/broker.pem" 2>/dev/null
  openssl pkcs12 -export -name broker -inkey "$tls/broker.key" -in "$tls/broker.pem" -certfile "$tls/ca.pem" \
    -passout "pass:$pass" -out "$tls/broker.p12"
  keytool -importcert -noprompt -alias ca -file "$tls/ca.pem" -storetype PKCS12 \
    -keystore "$tls/truststore.p12.tmp" -storepass "$pass" >/dev/null 2>&1
  mv "$tls/truststore.p12.tmp" "$tls/truststore.p12"
  chmod 600 "$tls"/*.key "$tls"/*.p12
  log "made a local CA and the broker's certificate in $tls (clients trust $tls/ca.pem)"
}

# The keystores' password: generated at the first start, kept beside them.
store_password() {
  if [ ! -f "$tls/store-password" ]; then
    (umask 077; head -c 24 /dev/urandom | base64 | tr -d '/+=\n' >"$tls/store-password")
  fi
  cat "$tls/store-password"
}

write_properties() {
  mkdir -p "$data/logs" "$data/storage"
  (umask 077; sed -e "s#@PORT@#$port#g" -e "s#@CONTROLLER_PORT@#$controller_port#g" -e "s#@STORAGE@#$data/storage#g" \
    -e "s#@TLS@#$tls#g" -e "s#@STORE_PASSWORD@#$(store_password)#g" \
    -e "s#@BROKER_PASSWORD@#$(secret KAFKA_BROKER_PASSWORD)#g" -e "s#@ADMIN_USER@#$admin_user#g" \
    "$here/server.properties.in" >"$data/server.properties")
}

start() {
  if running; then log "already running (pid $(cat "$pidfile")) on 127.0.0.1:$port"; return 0; fi
  if port_open "$port"; then log "port $port is taken by another process"; exit 1; fi
  fetch
  secret KAFKA_ADMIN_PASSWORD >/dev/null; secret KAFKA_BROKER_PASSWORD >/dev/null
  if [ -f "$data/storage/meta.properties" ] && [ ! -f "$tls/truststore.p12" ]; then
    log "$data/storage was formatted before the broker was secured (no SCRAM users in it): remove $data and start again (after make up, run make clean: it removes it with the season it held)"
    exit 1
  fi
  make_tls
  write_properties
  if [ ! -f "$data/storage/meta.properties" ]; then
    cluster_id="$(java "${java_opts[@]}" kafka.tools.StorageTool random-uuid | tail -n 1)"
    # The broker's and the admin's SCRAM credentials are in the metadata log from the start.
    java "${java_opts[@]}" kafka.tools.StorageTool format -t "$cluster_id" -c "$data/server.properties" \
      --add-scram "SCRAM-SHA-512=[name=broker,password=$(secret KAFKA_BROKER_PASSWORD)]" \
      --add-scram "SCRAM-SHA-512=[name=$admin_user,password=$(secret KAFKA_ADMIN_PASSWORD)]" \
      >"$data/logs/format.log" 2>&1
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
  if running; then echo "running pid=$(cat "$pidfile") bootstrap=SASL_SSL://127.0.0.1:$port ca=$tls/ca.pem data=$data"
  else echo "stopped bootstrap=127.0.0.1:$port data=$data"; return 3; fi
}

case "${1:-}" in
  fetch) fetch ;;
  start) start ;;
  stop) stop ;;
  status) status ;;
  *) echo "usage: $0 fetch|start|stop|status" >&2; exit 2 ;;
esac
