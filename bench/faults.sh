#!/usr/bin/env bash
# Fault injection against the production jar, as an operator would do it: two nodes on their own Redis and
# two shard databases of their own, behind a real HAProxy that health-checks /health/ready. Each row of the
# reliability table (docs/reliability.md) is one function below; each prints the figures that check its
# promise. The summary goes to bench/results/faults-<date>-<commit>.txt.
#
#   bench/faults.sh              every row, full scale (about 6 minutes)
#   SCALE=small bench/faults.sh  every row, shorter outages and fewer clients (a smoke run)
#   ROWS="crash drain" bench/faults.sh   some rows only (crash shard readiness drain rolling redis kafka)
#
# Needs: java, mvn, psql, redis-server, curl, haproxy (installed from Debian's packages when missing).
# Uses ports 18100 (HAProxy), 18180/18181 and 18190/18191 (nodes), 18199 (HAProxy stats), FAULT_REDIS_PORT.
source "$(dirname "$0")/lib.sh"

SCALE=${SCALE:-full}
ROWS=${ROWS:-"crash shard readiness drain rolling redis kafka"}
FAULT_REDIS_PORT=${FAULT_REDIS_PORT:-16391}
WORK=$(mktemp -d /tmp/spillway-faults.XXXXXX)
DBS=(spillway_faults_0 spillway_faults_1)
LB=18100
A_HTTP=18180; A_MGMT=18181; B_HTTP=18190; B_MGMT=18191
if [ "$SCALE" = small ]; then
  POSTS=120; OUTAGE=4; LOAD_S=10; ROLL_S=30; CONC=8; LIMIT_S=15
else
  POSTS=300; OUTAGE=10; LOAD_S=16; ROLL_S=40; CONC=32; LIMIT_S=30
fi
COMMIT=$(cd "$ROOT" && git rev-parse --short HEAD)
OUT="$RESULTS/faults-$(date -u +%F)-$COMMIT-$SCALE.txt"
declare -A PIDS

say() { echo "$*" | tee -a "$OUT"; }

cleanup() {
  for name in "${!PIDS[@]}"; do kill -9 "${PIDS[$name]}" 2>/dev/null || true; done
  [ -f "$WORK/haproxy.pid" ] && kill "$(cat "$WORK/haproxy.pid")" 2>/dev/null || true
  [ -f "$WORK/redis.pid" ] && kill -9 "$(cat "$WORK/redis.pid")" 2>/dev/null || true
}
# Replaces lib.sh's trap: this script starts its own processes and stops them itself.
trap cleanup EXIT

ensure_haproxy() {
  command -v haproxy >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq haproxy >/dev/null; }
}

psql_admin() { psql -qAt -h 127.0.0.1 -U postgres -d postgres -c "$1"; }
psql_db() { psql -qAt -h 127.0.0.1 -U postgres -d "$1" -c "$2"; }

reset_data() {
  for db in "${DBS[@]}"; do
    psql_admin "ALTER DATABASE $db ALLOW_CONNECTIONS true" >/dev/null 2>&1 || true
    psql_admin "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '$db'" >/dev/null
    psql_admin "DROP DATABASE IF EXISTS $db" >/dev/null
    psql_admin "CREATE DATABASE $db" >/dev/null
  done
}

refuse_shard() {
  psql_admin "ALTER DATABASE ${DBS[$1]} ALLOW_CONNECTIONS false" >/dev/null
  psql_admin "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '${DBS[$1]}'" >/dev/null
}
allow_shard() { psql_admin "ALTER DATABASE ${DBS[$1]} ALLOW_CONNECTIONS true" >/dev/null; }

start_redis() {
  redis-server --port "$FAULT_REDIS_PORT" --bind 127.0.0.1 --save "" --appendonly no --dir "$WORK" \
    >"$WORK/redis.log" 2>&1 &
  echo $! >"$WORK/redis.pid"
  for _ in $(seq 1 50); do redis-cli -p "$FAULT_REDIS_PORT" ping >/dev/null 2>&1 && return 0; sleep 0.1; done
  echo "redis did not start" >&2; return 1
}
kill_redis() { kill -9 "$(cat "$WORK/redis.pid")" 2>/dev/null || true; wait "$(cat "$WORK/redis.pid")" 2>/dev/null || true; }

# node_config NAME HTTP MGMT: the node's config file (dev mode: no Kafka needed; the Kafka row is a test).
node_config() {
  cat >"$WORK/$1.json" <<EOF
{
  "mode": "dev",
  "http": { "host": "127.0.0.1", "port": $2, "instances": 2 },
  "management": { "host": "127.0.0.1", "port": $3 },
  "data": { "instances": 1, "shards": [
    { "host": "127.0.0.1", "database": "${DBS[0]}", "poolSize": 8 },
    { "host": "127.0.0.1", "database": "${DBS[1]}", "poolSize": 8 } ] },
  "redis": { "uri": "redis://127.0.0.1:$FAULT_REDIS_PORT" },
  "kafka": { "bootstrapServers": "" },
  "jwt": { "algorithm": "HS256", "secret": "dev-only-sample-secret-do-not-use-in-production" },
  "auth": { "passwordIterations": 1000 },
  "shed": { "perClient": { "enabled": false } },
  "shutdown": { "timeoutMs": 10000, "drainDelayMs": 3000 }
}
EOF
}

# start_node NAME [ENV=VALUE...]: runs the production jar; returns once it answers /health/live.
start_node() {
  local name=$1; shift
  local port; port=$(jq -r .http.port "$WORK/$name.json")
  env "$@" java -Xms256m -Xmx512m -XX:+UseParallelGC -jar "$ROOT/target/spillway.jar" -conf "$WORK/$name.json" \
    >>"$WORK/$name.log" 2>&1 &
  PIDS[$name]=$!
  for _ in $(seq 1 300); do
    kill -0 "${PIDS[$name]}" 2>/dev/null || { tail -30 "$WORK/$name.log" >&2; return 1; }
    curl -fs "http://127.0.0.1:$port/health/live" >/dev/null 2>&1 && return 0
    sleep 0.1
  done
  return 1
}

# stop_node NAME SIGNAL: sends the signal and waits for the exit; sets STOPPED to "exit CODE after MS ms".
# (Not in a $(...) subshell: only this shell can wait for its own child.)
stop_node() {
  local name=$1 sig=$2 pid=${PIDS[$1]} t0 rc
  t0=$(date +%s%N)
  kill "-$sig" "$pid" 2>/dev/null || true
  set +e; wait "$pid"; rc=$?; set -e
  unset "PIDS[$name]"
  STOPPED="exit $rc after $(( ($(date +%s%N) - t0) / 1000000 )) ms"
}

start_haproxy() {
  cat >"$WORK/haproxy.cfg" <<EOF
global
  maxconn 4096
defaults
  mode http
  timeout connect 2s
  timeout client 30s
  timeout server 30s
  retries 3
  option redispatch
  retry-on conn-failure
frontend api
  bind 127.0.0.1:$LB
  default_backend nodes
backend nodes
  balance roundrobin
  option httpchk GET /health/ready
  http-check expect status 200
  default-server inter 1s fall 2 rise 2 slowstart 10s
  server a 127.0.0.1:$A_HTTP check
  server b 127.0.0.1:$B_HTTP check
listen stats
  bind 127.0.0.1:18199
  stats enable
  stats uri /stats
EOF
  haproxy -f "$WORK/haproxy.cfg" -p "$WORK/haproxy.pid" -D
}

# lb_status: "a=UP b=UP" as HAProxy sees the nodes.
lb_status() { haproxy_states 18199; }
await_lb_up() { await_haproxy_up 18199 "$1"; }

client() { java -cp "$CP" io.spillway.bench.FaultClient "$@"; }

# seed: 24 users through the API; writes their ids per shard and one author's token.
seed() {
  for i in $(seq 1 24); do
    curl -fs -X POST "http://127.0.0.1:$A_HTTP/v1/users" -H 'Content-Type: application/json' \
      -d "{\"email\":\"fault-$i@example.com\",\"name\":\"Fault $i\",\"password\":\"fault-password\"}" >/dev/null
  done
  psql_db "${DBS[0]}" "SELECT id FROM users" >"$WORK/shard0.ids"
  psql_db "${DBS[1]}" "SELECT id FROM users" >"$WORK/shard1.ids"
  curl -fs -X POST "http://127.0.0.1:$A_HTTP/v1/auth/token" -H 'Content-Type: application/json' \
    -d '{"email":"fault-1@example.com","password":"fault-password"}' | jq -r .access_token >"$WORK/token"
  psql_db "${DBS[0]}" "SELECT id FROM users WHERE email = 'fault-1@example.com'" >"$WORK/author"
  psql_db "${DBS[1]}" "SELECT id FROM users WHERE email = 'fault-1@example.com'" >>"$WORK/author"
}

# paths GROUP IDSFILE: a read of each user's posts, with several page sizes (so a cache cannot answer all).
paths() {
  while read -r id; do for l in 1 2 3 5 8; do echo "$1 /v1/users/$id/posts?limit=$l"; done; done <"$2"
}

fresh_cluster() {
  cleanup_nodes
  reset_data
  kill_redis; start_redis
  node_config a $A_HTTP $A_MGMT; node_config b $B_HTTP $B_MGMT
  : >"$WORK/a.log"; : >"$WORK/b.log"
  start_node a "$@"; start_node b "$@"
  seed
}

cleanup_nodes() {
  for name in "${!PIDS[@]}"; do kill -9 "${PIDS[$name]}" 2>/dev/null || true; wait "${PIDS[$name]}" 2>/dev/null || true; unset "PIDS[$name]"; done
}

# --- the rows ---

row_crash() {
  say "## kill -9 during $POSTS keyed POST /v1/posts (16 in flight, retries with the same key), through HAProxy"
  fresh_cluster SPILLWAY_LIMITS_ENABLED=false
  await_lb_up a; await_lb_up b
  echo 0 >"$WORK/progress"
  client posts $LB "$(cat "$WORK/token")" "$POSTS" 16 "$WORK/progress" >"$WORK/crash.out" &
  local cpid=$!
  local answered=0
  while [ "${answered:-0}" -lt $((POSTS / 3)) ]; do sleep 0.05; answered=$(cat "$WORK/progress" 2>/dev/null); done
  local at; at=$(cat "$WORK/progress")
  stop_node a KILL
  say "node a: kill -9 with $at keys answered; $STOPPED"
  start_node a SPILLWAY_LIMITS_ENABLED=false
  wait $cpid
  say "$(cat "$WORK/crash.out")"
  local author written
  author=$(head -1 "$WORK/author")
  written=$(( $(psql_db "${DBS[0]}" "SELECT count(*) FROM posts WHERE author_id = $author") \
            + $(psql_db "${DBS[1]}" "SELECT count(*) FROM posts WHERE author_id = $author") ))
  say "posts written: $written for $POSTS keys: duplicates $(( written > POSTS ? written - POSTS : 0 )), lost $(( written < POSTS ? POSTS - written : 0 ))"
}

row_shard() {
  say "## shard 1 refuses connections for ${OUTAGE} s; reads of both shards' users, direct to node a, cache off"
  fresh_cluster SPILLWAY_LIMITS_ENABLED=false SPILLWAY_CACHE_ENABLED=false
  { paths shard0 "$WORK/shard0.ids"; paths shard1 "$WORK/shard1.ids"; } >"$WORK/paths"
  local before; before=$(wc -l <"$WORK/a.log")
  client load $A_HTTP 16 $((OUTAGE + 6)) "$WORK/paths" >"$WORK/shard.out" &
  local cpid=$!
  sleep 3; refuse_shard 1; sleep "$OUTAGE"; allow_shard 1
  wait $cpid
  say "$(cat "$WORK/shard.out")"
  local lines; lines=$(tail -n +$((before + 1)) "$WORK/a.log" | grep -c '"logger":"io.spillway.data' || true)
  say "data-layer log lines during the run: $lines (ERROR: $(tail -n +$((before + 1)) "$WORK/a.log" | grep '"logger":"io.spillway.data' | grep -c '"level":"ERROR"' || true))"
}

row_readiness() {
  say "## Redis down and shard 1 down for ${OUTAGE} s, two nodes behind HAProxy checking /health/ready; shard-0 reads"
  fresh_cluster SPILLWAY_LIMITS_ENABLED=false
  await_lb_up a; await_lb_up b
  paths shard0 "$WORK/shard0.ids" >"$WORK/paths"
  client load $LB 16 $((OUTAGE + 6)) "$WORK/paths" >"$WORK/ready.out" &
  local cpid=$!
  sleep 3; kill_redis; refuse_shard 1
  sleep $((OUTAGE / 2)); say "HAProxy mid-outage: $(lb_status); management readiness of a: $(curl -s http://127.0.0.1:$A_MGMT/health/ready | jq -c '{status, failing}')"
  sleep $((OUTAGE - OUTAGE / 2)); start_redis; allow_shard 1
  wait $cpid
  say "$(cat "$WORK/ready.out")"
}

row_drain() {
  say "## SIGTERM of node a under keep-alive load ($CONC connections) through HAProxy"
  fresh_cluster SPILLWAY_LIMITS_ENABLED=false
  await_lb_up a; await_lb_up b
  { paths shard0 "$WORK/shard0.ids"; paths shard1 "$WORK/shard1.ids"; } | sed 's/^[a-z0-9]*/all/' >"$WORK/paths"
  client load $LB "$CONC" 14 "$WORK/paths" >"$WORK/drain.out" &
  local cpid=$!
  sleep 4
  stop_node a TERM
  say "node a: SIGTERM; $STOPPED"
  wait $cpid
  say "$(cat "$WORK/drain.out")"
  say "responses with Connection: close from a while it drained: see DrainTest (the client here goes through HAProxy)"
}

row_rolling() {
  say "## rolling restart of both nodes behind HAProxy under ${ROLL_S} s of load ($CONC connections), shipped shedding (gradient2)"
  fresh_cluster SPILLWAY_LIMITS_ENABLED=false
  await_lb_up a; await_lb_up b
  { paths shard0 "$WORK/shard0.ids"; paths shard1 "$WORK/shard1.ids"; } | sed 's/^[a-z0-9]*/all/' >"$WORK/paths"
  client load $LB "$CONC" "$ROLL_S" "$WORK/paths" >"$WORK/rolling.out" &
  local cpid=$!
  sleep 3
  for n in a b; do
    stop_node $n TERM
    say "node $n: SIGTERM; $STOPPED"
    start_node $n SPILLWAY_LIMITS_ENABLED=false
    await_lb_up $n
    say "node $n back in HAProxy: $(lb_status)"
  done
  wait $cpid
  say "$(cat "$WORK/rolling.out")"
  say "shed by the restarted nodes: $(grep -c 'load shedding started' "$WORK/a.log" "$WORK/b.log" | tr '\n' ' ')"
}

row_redis() {
  say "## Redis killed for ${OUTAGE} s under load; one client over the shipped api-per-client limit (token bucket 50/s, burst 200), direct to node a"
  fresh_cluster
  paths one "$WORK/shard0.ids" | head -5 >"$WORK/paths"
  client load $A_HTTP 8 "$LIMIT_S" "$WORK/paths" >"$WORK/redis.out" &
  local cpid=$!
  local down_at=$(( (LIMIT_S - OUTAGE) / 2 ))
  sleep "$down_at"; kill_redis; sleep "$OUTAGE"; start_redis
  wait $cpid
  say "$(cat "$WORK/redis.out")"
  say "bound without switch bursts: burst + rate x seconds = 200 + 50 x $LIMIT_S = $((200 + 50 * LIMIT_S)) 2xx (the seed users' own sign-up calls aside); Redis down from s $down_at to s $((down_at + OUTAGE)), it restarted empty"
}

row_kafka() {
  say "## Kafka down for 60 s during writes (the suite's OutboxRelayTest, on an in-JVM broker it stops and restarts)"
  (cd "$ROOT" && SPILLWAY_TEST_REDIS_PORT=$FAULT_REDIS_PORT mvn -B -q verify \
    -Dtest='OutboxRelayTest#kafkaDownForAMinuteDuringWritesLosesNothing' -Dsurefire.failIfNoSpecifiedTests=false \
    >"$WORK/kafka.out" 2>&1) || { tail -40 "$WORK/kafka.out"; say "kafka row: the test failed"; return 0; }
  say "$(cat "$ROOT/target/faults/kafka-outage.txt")"
}

# --- main ---
ensure_haproxy
ensure_tools jq psql redis-cli
build_server
build_test_classpath
CP=$TEST_CP
: >"$OUT"
say "commit: $(git -C "$ROOT" rev-parse HEAD)"
say "date: $(date -u '+%Y-%m-%d %H:%M:%S UTC')"
say "machine: $(machine), $(haproxy -v | head -1 | cut -d' ' -f1-3)"
say "command: SCALE=$SCALE ROWS=\"$ROWS\" bench/faults.sh"
say ""
start_redis
start_haproxy
for row in $ROWS; do
  "row_$row"
  say ""
done
cleanup_nodes
for db in "${DBS[@]}"; do psql_admin "DROP DATABASE IF EXISTS $db WITH (FORCE)" >/dev/null || true; done
echo "written: $OUT (node logs in $WORK)"
