#!/usr/bin/env bash
# A Spillway cluster on this machine: a standalone Kafka broker (KRaft, in a JVM of its own, from the same
# Maven Central artifacts the tests use), a Redis and two shard databases of its own, NODES production-jar
# nodes, and HAProxy (installed from Debian's packages when missing) in front of them on loopback,
# health-checking /health/ready.
#
#   bench/cluster.sh start     builds what it needs, starts everything, prints the addresses
#   bench/cluster.sh status    what HAProxy sees (UP/DOWN per node) and the processes
#   bench/cluster.sh stop      stops exactly what start started (by the pids it wrote), drops its databases
#   bench/cluster.sh stop-node K [SIGNAL]   sends node K SIGNAL (TERM: it drains) and waits until it exited
#   bench/cluster.sh start-node K           starts node K again on its config; returns once it is ready
#
# CLUSTER_CONFIG: a JSON file merged over every node's config at start (e.g. {"limits": {"enabled": false}}),
# kept for nodes started again later. Sourced (bench/cluster-proofs.sh), it defines the functions only.
#
# Ports (environment): CLUSTER_LB (18300, the API through HAProxy), CLUSTER_STATS (18399, HAProxy's stats
# page), node k: HTTP 18310+2k and management 18311+2k, CLUSTER_KAFKA (18392), CLUSTER_REDIS (18393).
# NODES (3). State (pids, configs, logs): CLUSTER_DIR (/tmp/spillway-cluster).
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
NODES=${NODES:-3}
LB=${CLUSTER_LB:-18300}
STATS=${CLUSTER_STATS:-18399}
KAFKA=${CLUSTER_KAFKA:-18392}
REDIS=${CLUSTER_REDIS:-18393}
DIR=${CLUSTER_DIR:-/tmp/spillway-cluster}
DBS=(spillway_cluster_0 spillway_cluster_1)

http_port() { echo $((18310 + 2 * $1)); }
mgmt_port() { echo $((18311 + 2 * $1)); }
psql_admin() { psql -qAt -h 127.0.0.1 -U postgres -d postgres -c "$1"; }

haproxy_cmd() { echo "$1" | socat stdio "unix-connect:$DIR/haproxy.sock"; }

wait_for() { # WHAT SECONDS COMMAND...
  local what=$1 deadline=$((SECONDS + $2)); shift 2
  until "$@" >/dev/null 2>&1; do
    [ $SECONDS -lt $deadline ] || { echo "$what did not come up; see $DIR" >&2; return 1; }
    sleep 0.2
  done
}

node_config() { # K: the node's config, with CLUSTER_CONFIG's keys merged over it
  jq -s '.[0] * .[1]' - "$DIR/extra.json" >"$DIR/node-$1.json" <<EOF
{
  "mode": "dev",
  "http": { "host": "127.0.0.1", "port": $(http_port "$1"), "instances": 2 },
  "management": { "host": "127.0.0.1", "port": $(mgmt_port "$1") },
  "data": { "instances": 1, "shards": [
    { "host": "127.0.0.1", "database": "${DBS[0]}", "poolSize": 8 },
    { "host": "127.0.0.1", "database": "${DBS[1]}", "poolSize": 8 } ] },
  "redis": { "uri": "redis://127.0.0.1:$REDIS" },
  "kafka": { "bootstrapServers": "127.0.0.1:$KAFKA", "replicationFactor": 1, "minInSyncReplicas": 1 },
  "limits": { "expectedNodes": $NODES },
  "jwt": { "algorithm": "HS256", "secret": "dev-only-sample-secret-do-not-use-in-production" },
  "shutdown": { "timeoutMs": 10000, "drainDelayMs": 3000 }
}
EOF
}

start_node() { # K: the production jar on its config; returns once the node is ready
  java -Xms256m -Xmx512m -XX:+UseParallelGC -jar "$ROOT/target/spillway.jar" -conf "$DIR/node-$1.json" \
    >>"$DIR/node-$1.log" 2>&1 &
  echo $! >"$DIR/node-$1.pid"
  wait_for "node $1" 120 curl -fs "http://127.0.0.1:$(http_port "$1")/health/ready"
}

# running PID: the process is alive (an exited child of this shell that nobody waited for is a zombie: not).
running() { local st; st=$(ps -o stat= -p "$1" 2>/dev/null) && [[ $st != Z* ]]; }

# stop_pid FILE SIGNAL [SECONDS]: signals the process of a pid file and waits until it exits (then SIGKILL
# after SECONDS, 15 by default); sets STOPPED to "exited after MS ms".
stop_pid() {
  local pid t0; pid=$(cat "$1"); t0=$(date +%s%N)
  kill "-$2" "$pid" 2>/dev/null || true
  for _ in $(seq 1 $((${3:-15} * 20))); do running "$pid" || break; sleep 0.05; done
  kill -9 "$pid" 2>/dev/null || true
  rm -f "$1"
  STOPPED="exited after $(( ($(date +%s%N) - t0) / 1000000 )) ms"
}

stop_node() { # K [SIGNAL]
  [ -e "$DIR/node-$1.pid" ] || { echo "node $1 is not running" >&2; return 1; }
  stop_pid "$DIR/node-$1.pid" "${2:-TERM}"
  echo "node-$1: SIG${2:-TERM}, $STOPPED"
}

haproxy_config() {
  {
    cat <<EOF
global
  maxconn 8000
  stats socket $DIR/haproxy.sock level admin
defaults
  mode http
  timeout connect 2s
  timeout client 60s
  timeout server 60s
  timeout tunnel 1h
  retries 3
  option redispatch
  retry-on conn-failure
  option forwardfor
frontend api
  bind 127.0.0.1:$LB
  default_backend nodes
backend nodes
  balance leastconn
  option httpchk GET /health/ready
  http-check expect status 200
  default-server inter 1s fall 2 rise 2 slowstart 10s
EOF
    for k in $(seq 0 $((NODES - 1))); do echo "  server node-$k 127.0.0.1:$(http_port "$k") check"; done
    cat <<EOF
listen stats
  bind 127.0.0.1:$STATS
  stats enable
  stats uri /stats
EOF
  } >"$DIR/haproxy.cfg"
}

start() {
  [ ! -e "$DIR/started" ] || { echo "a cluster is already running (bench/cluster.sh stop first)" >&2; exit 1; }
  mkdir -p "$DIR"
  ensure_tools haproxy socat jq psql redis-cli curl
  if [ -n "${CLUSTER_CONFIG:-}" ]; then jq . "$CLUSTER_CONFIG" >"$DIR/extra.json"; else echo '{}' >"$DIR/extra.json"; fi
  (cd "$ROOT" && mvn -B -q -DskipTests package && mvn -B -q dependency:build-classpath \
    -Dmdep.includeScope=test -Dmdep.outputFile="$DIR/test.cp" >/dev/null)
  touch "$DIR/started"
  for db in "${DBS[@]}"; do
    psql_admin "DROP DATABASE IF EXISTS $db WITH (FORCE)" >/dev/null
    psql_admin "CREATE DATABASE $db" >/dev/null
  done
  redis-server --port "$REDIS" --bind 127.0.0.1 --save "" --appendonly no --dir "$DIR" >"$DIR/redis.log" 2>&1 &
  echo $! >"$DIR/redis.pid"
  wait_for redis 10 redis-cli -p "$REDIS" ping
  java -Xmx512m -cp "$ROOT/target/test-classes:$ROOT/target/classes:$(cat "$DIR/test.cp")" \
    io.spillway.bench.BenchKafka "$KAFKA" >"$DIR/kafka.log" 2>&1 &
  echo $! >"$DIR/kafka.pid"
  wait_for kafka 120 grep -q "kafka ready" "$DIR/kafka.log"
  for k in $(seq 0 $((NODES - 1))); do
    node_config "$k"
    : >"$DIR/node-$k.log"
    start_node "$k"
  done
  haproxy_config
  # HAProxy wants about two descriptors per connection it may hold.
  ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
  haproxy -f "$DIR/haproxy.cfg" -p "$DIR/haproxy.pid" -D
  wait_for haproxy 30 curl -fs "http://127.0.0.1:$LB/health/ready"
  echo "cluster up: API http://127.0.0.1:$LB (HAProxy), stats http://127.0.0.1:$STATS/stats"
  for k in $(seq 0 $((NODES - 1))); do
    echo "  node-$k: http://127.0.0.1:$(http_port "$k"), management http://127.0.0.1:$(mgmt_port "$k")"
  done
  echo "  Kafka 127.0.0.1:$KAFKA, Redis 127.0.0.1:$REDIS, databases ${DBS[*]}; logs in $DIR"
}

status() {
  [ -e "$DIR/started" ] || { echo "no cluster (bench/cluster.sh start)"; return 0; }
  haproxy_states "$STATS" | tr ' ' '\n' | sed -n 's/^\(.*\)=\(.*\)$/  \1: \2/p' || echo "  haproxy: not answering on :$STATS"
  for f in "$DIR"/*.pid; do
    local pid; pid=$(cat "$f")
    if running "$pid"; then echo "  $(basename "$f" .pid): running (pid $pid)"; else echo "  $(basename "$f" .pid): stopped"; fi
  done
}

stop() {
  [ -e "$DIR/started" ] || { echo "no cluster to stop"; return 0; }
  for f in "$DIR"/haproxy.pid "$DIR"/node-*.pid "$DIR"/kafka.pid "$DIR"/redis.pid; do
    if [ -e "$f" ]; then stop_pid "$f" TERM; fi
  done
  for db in "${DBS[@]}"; do psql_admin "DROP DATABASE IF EXISTS $db WITH (FORCE)" >/dev/null || true; done
  rm -f "$DIR/started"
  echo "cluster stopped"
}

[ "${BASH_SOURCE[0]}" = "$0" ] || return 0
case "${1:-}" in
  start) start ;;
  status) status ;;
  stop) stop ;;
  stop-node) stop_node "$2" "${3:-TERM}" ;;
  start-node) [ ! -e "$DIR/node-$2.pid" ] || { echo "node $2 is running" >&2; exit 1; }; start_node "$2" ;;
  *) echo "usage: bench/cluster.sh start|status|stop|stop-node K [SIGNAL]|start-node K" >&2; exit 2 ;;
esac
