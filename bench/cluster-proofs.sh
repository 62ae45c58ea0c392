#!/usr/bin/env bash
# What a three-node cluster promises, checked on the cluster of bench/cluster.sh (started here, with
# CLUSTER_CONFIG below, and stopped at the end): every request goes through HAProxy on 127.0.0.1:$LB.
#
#   rolling     every node in turn gets SIGTERM (it fails readiness, drains and exits), starts again, and
#               rejoins once HAProxy sees it UP, under steady authenticated reads and some writes;
#               requests that failed (must be 0) and 503s (shedding)
#   kill        kill -9 of one node while WebSocket subscribers (some on that node) follow authors who post:
#               every socket that closes reconnects through HAProxy and resumes with since = its last
#               offset; every post written arrives exactly once and in order at every socket
#               (src/test/java/io/spillway/bench/ResumeCheck.java); HTTP failures against the node's
#               in-flight requests when it died
#   limits      one policy hit from many connections spread over the nodes: exact mode admits exactly
#               its limit per key; leased mode at most limit + nodes x leaseSize (docs/rate-limiting.md)
#   throughput  wrk with a JWT on GET /v1/users/{id} (cached, the shipped limits x1000) through HAProxy
#               with 1, 2 and 3 nodes in service (the others in maintenance), ROUNDS interleaved rounds,
#               medians, and each part's CPU time per request (nodes, HAProxy, Redis, Kafka, PostgreSQL)
#
#   bench/cluster-proofs.sh                    every section (10-15 minutes on 2 cores)
#   bench/cluster-proofs.sh throughput         some sections only, in the order given
#
# Knobs: CONC (rolling), KILL_S, SOCKETS, RATE (kill), LIMIT, LEASE, LIMIT_S (limits), THREADS,
# CONNS, DURATION, WARMUP, ROUNDS (throughput), USERS. Result: bench/results/cluster-proofs-DATE-COMMIT.txt
# (cluster-<sections>-DATE-COMMIT.txt for some sections only); node logs in /tmp/spillway-cluster.
source "$(dirname "$0")/cluster.sh"
BENCH_DB_PREFIX=spillway_cluster   # the databases of cluster.sh: load_seed writes into them

SECTIONS=${*:-rolling kill limits throughput}
USERS=${USERS:-2000}
CONC=${CONC:-32}
KILL_S=${KILL_S:-40}; SOCKETS=${SOCKETS:-30}; RATE=${RATE:-20}
LIMIT=${LIMIT:-200}; LEASE=${LEASE:-20}; LIMIT_S=${LIMIT_S:-10}
ADMIN_TOKEN=cluster-proofs-admin-token-0123456789abcdef
VICTIM=1
SUMMARY="$SCRATCH/cluster-proofs.summary"

say() { echo "$*" | tee -a "$SUMMARY"; }
client() { java -Xmx512m -XX:TieredStopAtLevel=1 -cp "$TEST_CP" "$@"; }
mgmt() { echo "http://127.0.0.1:$(mgmt_port "$1")"; }

# put_limits JSON [QUERY]: the same limits on every node, live (PUT /admin/limits).
put_limits() {
  for k in $(seq 0 $((NODES - 1))); do
    curl -fs -o /dev/null -X PUT "$(mgmt "$k")/admin/limits${2:-}" -H "Authorization: Bearer $ADMIN_TOKEN" \
      -H 'Content-Type: application/json' -d "$1"
  done
}

# served: "node-0=N node-1=N ..." requests each server took so far (HAProxy's stot).
served() {
  curl -fs "http://127.0.0.1:$STATS/stats;csv" | awk -F, '$1 == "nodes" && $2 != "BACKEND" {printf "%s=%s ", $2, $8}'
}

# delta BEFORE AFTER: per server, what "served" counted in between.
delta() {
  join <(tr ' ' '\n' <<<"$1" | grep . | tr = ' ' | sort) <(tr ' ' '\n' <<<"$2" | grep . | tr = ' ' | sort) |
    awk '{printf "%s=%d ", $1, $3 - $2}'
}

# outcome FILE: FaultClient's "load" lines summed: requests, shed (503 with Retry-After, the node's load
# shedding), failed (anything else that is not 2xx: connection errors, 5xx, 503 without Retry-After).
outcome() {
  sed -n 's/^load [^:]*: \([0-9]*\) requests, .* codes {\(.*\)}, 503 without Retry-After \([0-9]*\),.*/\1 \3 \2/p' "$1" |
    awk '{n += $1; bare += $2; for (i = 3; i <= NF; i++) { split($i, kv, "="); sub(",", "", kv[2]);
           if (kv[1] == "503") s503 += kv[2]; else if (kv[1] !~ /^2/) bad += kv[2] } }
         END {printf "%d requests, %d shed (503 with Retry-After), %d failed\n", n, s503 - bare, bad + bare}'
}

# victim_errors: HAProxy's error counters for the node the kill section kills: connections refused or failed
# (econ), responses cut off (eresp: requests in flight when it died), retries and redispatches to others.
victim_errors() {
  curl -fs "http://127.0.0.1:$STATS/stats;csv" |
    awk -F, -v s="node-$VICTIM" '$1 == "nodes" && $2 == s {printf "econ=%d eresp=%d retries=%d redispatched=%d", $14, $15, $16, $17}'
}

log_lines() { cat "$DIR"/node-*.log | wc -l; }
shed_started() { cat "$DIR"/node-*.log | tail -n +$(($1 + 1)) | grep -c 'load shedding started' || true; }

# The load of rolling and kill: authenticated reads of users, their posts and the feed, one write in 20.
load_paths() {
  local i=0
  head -200 "$SEED/active-ids.txt" | while read -r id; do
    i=$((i + 1))
    echo "reads /v1/users/$id"
    echo "reads /v1/users/$id/posts?limit=5"
    echo "reads /v1/feed?limit=10"
    if [ $((i % 7)) -eq 0 ]; then echo "writes POST /v1/posts"; fi
  done
}

section_rolling() {
  say "## rolling restart of all $NODES nodes (SIGTERM, drain, start, back in HAProxy) under load through HAProxy from 5 s before the first SIGTERM to 10 s after the last node is back ($CONC keep-alive connections, one token each; reads of users, posts and feeds, one write in 22)"
  load_paths >"$SCRATCH/rolling.paths"
  local before t0; before=$(log_lines); t0=$SECONDS
  rm -f "$SCRATCH/rolling.stop"
  client -Dload.until="$SCRATCH/rolling.stop" io.spillway.bench.FaultClient load "$LB" "$CONC" 1800 \
    "$SCRATCH/rolling.paths" "$SCRATCH/tokens.txt" >"$SCRATCH/rolling.out" &
  local cpid=$!
  sleep 5
  for k in $(seq 0 $((NODES - 1))); do
    say "$(stop_node "$k" TERM)"
    start_node "$k"
    await_haproxy_up "$STATS" "node-$k"
    say "node-$k back in HAProxy at s $((SECONDS - t0)): $(haproxy_states "$STATS")"
  done
  sleep 10
  touch "$SCRATCH/rolling.stop"
  wait $cpid
  say "$(cat "$SCRATCH/rolling.out")"
  say "in all: $(outcome "$SCRATCH/rolling.out")"
  say "'load shedding started' lines in the node logs: $(shed_started "$before")"
}

section_kill() {
  say "## kill -9 of node-$VICTIM under load: $SOCKETS WebSocket subscribers through HAProxy following 4 authors who post $RATE/s in all; HTTP load beside ($((CONC / 2)) connections)"
  head -4 "$SEED/active-ids.txt" | paste -d' ' - <(head -4 "$SCRATCH/tokens.txt") >"$SCRATCH/authors.txt"
  tail -n +5 "$SCRATCH/tokens.txt" >"$SCRATCH/readers.txt"
  load_paths >"$SCRATCH/kill.paths"
  client io.spillway.bench.ResumeCheck "$LB" $((KILL_S - 10)) "$RATE" "$SCRATCH/authors.txt" "$SCRATCH/readers.txt" \
    "$SOCKETS" >"$SCRATCH/resume.out" &
  local rpid=$!
  wait_for "the subscribers" 90 grep -q '^writing' "$SCRATCH/resume.out"
  # Not the authors' tokens: their posts are the ones the subscribers check.
  tail -n +501 "$SCRATCH/tokens.txt" >"$SCRATCH/kill-tokens.txt"
  client io.spillway.bench.FaultClient load "$LB" $((CONC / 2)) "$KILL_S" "$SCRATCH/kill.paths" "$SCRATCH/kill-tokens.txt" \
    >"$SCRATCH/kill.out" &
  local cpid=$!
  sleep 8
  local inflight sessions killed errors_before
  errors_before=$(victim_errors)
  sessions=$(curl -fs "http://127.0.0.1:$STATS/stats;csv" | awk -F, -v s="node-$VICTIM" '$1 == "nodes" && $2 == s {print $5}')
  inflight=$(curl -fs "$(mgmt $VICTIM)/metrics" | awk '/^spillway_shed_inflight/ {printf "%d", $2}')
  killed=$(stop_node $VICTIM KILL)
  say "node-$VICTIM just before the kill: $inflight requests in flight (spillway_shed_inflight), $sessions connections from HAProxy (WebSockets and HTTP)"
  say "$killed"
  start_node $VICTIM
  await_haproxy_up "$STATS" "node-$VICTIM"
  say "node-$VICTIM started again and back in HAProxy: $(haproxy_states "$STATS")"
  wait $cpid
  local rc=0
  wait $rpid || rc=$?
  say "$(cat "$SCRATCH/resume.out" | grep -v '^writing')"
  say "$(cat "$SCRATCH/kill.out")"
  local cut; cut=$(grep -o 'error=[0-9]*' "$SCRATCH/resume.out" | cut -d= -f2 || true)
  say "HTTP load in all: $(outcome "$SCRATCH/kill.out"); plus ${cut:-0} posts of the authors cut off (each retried with its key and answered);"
  say "requests that failed in all: $(( $(outcome "$SCRATCH/kill.out" | awk '{print $(NF - 1)}') + ${cut:-0} )), against $inflight in flight on node-$VICTIM just before it was killed"
  say "HAProxy's counters for node-$VICTIM over the kill: $(delta "$errors_before" "$(victim_errors)")"
  [ "$rc" = 0 ] || say "RESUME CHECK FAILED"
}

# limit_run NAME LEASE: one policy on GET /v1/users/:id and GET /v1/users/:id/posts, keyed by route (two keys),
# hit by CONC*2 connections for LIMIT_S seconds.
limit_run() {
  local name="$1-$STAMP" lease="$2" before
  local policy="{\"name\":\"$name\",\"algorithm\":\"fixed-window\",\"limit\":$LIMIT,\"windowSeconds\":86400,\"key\":[\"route\"],\"onRedisFailure\":\"closed\",\"routes\":[{\"path\":\"/v1/users/:id\",\"methods\":[\"GET\"]},{\"path\":\"/v1/users/:id/posts\",\"methods\":[\"GET\"]}]$lease}"
  put_limits "{\"enabled\":true,\"expectedNodes\":$NODES,\"policies\":[$policy]}"
  before=$(served)
  client io.spillway.bench.FaultClient load "$LB" $((CONC * 2)) "$LIMIT_S" "$SCRATCH/limits.paths" >"$SCRATCH/limits.out"
  say "policy $policy"
  say "served per node: $(delta "$before" "$(served)")"
  say "$(cat "$SCRATCH/limits.out")"
}

section_limits() {
  say "## one rate-limit policy across $NODES nodes: fixed window of $LIMIT per UTC day per route (two keys), $((CONC * 2)) connections through HAProxy for $LIMIT_S s each run, set live on every node (PUT /admin/limits)"
  say "onRedisFailure closed: a Redis call slower than limits.redisTimeoutMs is refused (503) instead of decided by the in-process fallback, which allows limit / expectedNodes per node (docs/rate-limiting.md); what is counted here is Redis' decision"
  # The window is the UTC day: do not start within a minute of midnight.
  local left=$((86400 - $(date -u +%s) % 86400))
  [ "$left" -gt 60 ] || sleep $((left + 1))
  head -100 "$SEED/user-ids.txt" | while read -r id; do
    echo "users /v1/users/$id"; echo "posts /v1/users/$id/posts?limit=5"
  done >"$SCRATCH/limits.paths"
  say "### exact mode (the default): admitted per key must be exactly $LIMIT"
  limit_run proof-exact ""
  say "### leased mode, leaseSize $LEASE: admitted per key at most limit + nodes x leaseSize = $LIMIT + $NODES x $LEASE = $((LIMIT + NODES * LEASE))"
  limit_run proof-leased ",\"leaseSize\":$LEASE"
  put_limits '{"enabled":false}' '?allowUnlimited=true'
}

# in_service K...: nodes K... take requests, the others are in maintenance (HAProxy sends them nothing).
in_service() {
  for k in $(seq 0 $((NODES - 1))); do
    if [[ " $* " == *" $k "* ]]; then haproxy_cmd "set server nodes/node-$k state ready" >/dev/null
    else haproxy_cmd "set server nodes/node-$k state maint" >/dev/null; fi
  done
}

# cpu_by_part: "part=ticks ..." of user+system CPU so far (clock ticks of 10 ms) of the nodes, HAProxy, Redis,
# Kafka and PostgreSQL (all its processes; the bench's connections are long-lived, so no backend's time is lost).
cpu_by_part() {
  local part pids
  for part in nodes haproxy redis kafka postgres; do
    case $part in
      nodes) pids=$(cat "$DIR"/node-*.pid 2>/dev/null) ;;
      postgres) pids=$(pgrep -u postgres) ;;
      *) pids=$(cat "$DIR/$part.pid" 2>/dev/null) ;;
    esac
    local t=0 p
    for p in $pids; do [ -r "/proc/$p/stat" ] && t=$((t + $(awk '{print $14 + $15}' "/proc/$p/stat"))); done
    printf '%s=%s ' "$part" "$t"
  done
}

# cpu_per_request BEFORE AFTER REQUESTS: each part's CPU time per request in µs between two cpu_by_part.
cpu_per_request() {
  python3 - "$1" "$2" "$3" <<'PY'
import sys
b = dict(kv.split("=") for kv in sys.argv[1].split())
a = dict(kv.split("=") for kv in sys.argv[2].split())
n = max(1, int(sys.argv[3] or 0))
print(" ".join(f"{k} {(int(a[k]) - int(b[k])) * 10000 / n:.1f}" for k in b))
PY
}

section_throughput() {
  say "## throughput through HAProxy with 1, 2 and 3 nodes in service: wrk -t$THREADS -c$CONNS -d$DURATION, GET /v1/users/{id} with a JWT (1000 users' tokens, cached reads, the shipped rate-limit policies x1000); $ROUNDS rounds interleaved after a $WARMUP warm-up of each node alone, medians"
  local S="http://127.0.0.1:$LB" line n round
  local -a A=(TOKENS_FILE="$SCRATCH/tokens.txt" IDS_FILE="$SEED/active-ids.txt" REQ_PATH='/v1/users/{id}' SLO_MS=100)
  # The shipped policies with their numbers raised 1,000 times (nothing refused, every request counted), as
  # bench/limits.sh does: the CPU per request of each part then includes the limiter's Redis work.
  put_limits "{\"enabled\":true,\"expectedNodes\":$NODES,\"policies\":$(python3 "$BENCH_DIR/stats.py" raise-limits "$ROOT/src/main/resources/defaults.json" 1000)}"
  # Every node alone first: the ones restarted by the other sections must be as warm as the others.
  for k in $(seq 0 $((NODES - 1))); do in_service "$k"; warm_wrk "$S" "$WARMUP" "${A[@]}"; done
  while read -r round n; do
    in_service $(seq 0 $((n - 1)))
    local before; before=$(cpu_by_part)
    line=$(run_wrk "$n node(s) round $round" "$S" "$DURATION" "${A[@]}")
    local requests; requests=$(awk '/requests in/{print $1; exit}' "$SCRATCH/wrk.out")
    say "$n node(s) round $round, CPU per request by part (µs): $(cpu_per_request "$before" "$(cpu_by_part)" "$requests")"
    record cluster "$n-node" "$round" "$line"
    echo "$n node(s) round $round: $line"
  done < <(round_order "$ROUNDS" 1 2 3)
  in_service $(seq 0 $((NODES - 1)))
  put_limits '{"enabled":false}' '?allowUnlimited=true'
  python3 "$BENCH_DIR/stats.py" summary "$ROUNDS_FILE" cluster | tee -a "$SUMMARY"
  for n in 1 2 3; do
    local rps; rps=$(python3 "$BENCH_DIR/stats.py" median "$ROUNDS_FILE" cluster "$n-node" rps)
    say "$n node(s): $(awk -v r="$rps" -v n="$n" 'BEGIN {printf "%.0f req/s (median), %.0f req/s per node", r, r / n}')"
  done
  say "This machine has 2 cores, shared by wrk, HAProxy, the nodes, Redis, Kafka and PostgreSQL: more nodes on it"
  say "cannot add throughput (each node only takes CPU from the others); the figure per node is the total"
  say "divided by the nodes in service, the share each got of the same 2 cores, not what one node can do alone."
}

[ ! -e "$DIR/started" ] || { echo "a cluster is running: stop it first (bench/cluster.sh stop); the proofs start their own" >&2; exit 1; }
for s in $SECTIONS; do declare -F "section_$s" >/dev/null || { echo "unknown section: $s" >&2; exit 2; }; done
ensure_tools wrk
if [ "$SECTIONS" = "rolling kill limits throughput" ]; then open_results cluster-proofs; else open_results "cluster-${SECTIONS// /-}"; fi
: >"$SUMMARY"
cat >"$SCRATCH/cluster-proofs.json" <<EOF
{ "limits": { "enabled": false }, "shed": { "perClient": { "enabled": false } },
  "management": { "adminToken": "$ADMIN_TOKEN" } }
EOF
trap 'stop' EXIT
CLUSTER_CONFIG="$SCRATCH/cluster-proofs.json" start
TEST_CP="$ROOT/target/test-classes:$ROOT/target/classes:$(cat "$DIR/test.cp")"
SEED="$SCRATCH/cluster-seed"
rm -rf "$SEED"; mkdir -p "$SEED"
python3 "$BENCH_DIR/seed.py" --users "$USERS" --active $((USERS / 2)) --shards "$BENCH_SHARDS" --out "$SEED"
load_seed "$SEED"
mint_tokens "$SEED/active-ids.txt" 1000 "$SCRATCH/tokens.txt"
say "# A $NODES-node cluster on one machine (bench/cluster.sh): HAProxy on 127.0.0.1:$LB checking /health/ready every second (leastconn, fall 2, rise 2), a Kafka broker, Redis, two shard databases; $USERS users, $((USERS / 2)) with posts and follows"
say "Node config (over bench/cluster.sh's): $(jq -c 'del(.management)' "$SCRATCH/cluster-proofs.json") (one address sends all the load, so per-address caps are off; the limits section sets its own policy)"
say "$(haproxy -v | head -1 | cut -d' ' -f1-3)"
say ""
for s in $SECTIONS; do
  "section_$s"
  say ""
done
say "ERROR lines in the node logs: $(cat "$DIR"/node-*.log | grep -c '"level":"ERROR"' || true)"
finish_results "$SUMMARY"
