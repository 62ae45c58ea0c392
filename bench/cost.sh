#!/usr/bin/env bash
# What one request costs, in CPU, with no profiler attached: Spillway's main read path (GET /v1/users/{id}
# with a JWT from TOKENS distinct users over HOT_IDS ids, the shipped rate-limit policies with their numbers
# raised so no client is refused, metrics on, access log as shipped), the same read on a second node with the
# limiter off (api-unlimited: what the limits cost), and the liveness probe, each under wrk for DURATION after
# a warm-up, ROUNDS times interleaved. For each run: requests/s and the CPU microseconds
# per request of the Spillway process and of redis-server (utime+stime over the run / requests). CPU per
# request moves far less with a busy neighbour than requests/s do, so it is the figure to compare between two
# builds of the hot path:
#   JAR=/tmp/before/target/spillway.jar JAR_COMMIT=<commit> PORT=28080 MGMT_PORT=28081 bench/cost.sh
#   PORT=28080 MGMT_PORT=28081 bench/cost.sh
source "$(dirname "$0")/lib.sh"
USERS=${USERS:-20000}
TOKENS=${TOKENS:-256}
HOT_IDS=${HOT_IDS:-2000}
JAR=${JAR:-}

ensure_tools wrk curl psql redis-cli
if [ -z "$JAR" ]; then build_server; JAR="$ROOT/target/spillway.jar"; JAR_COMMIT=$(git -C "$ROOT" rev-parse HEAD); fi
open_results cost
echo "measured jar: $JAR (commit ${JAR_COMMIT:-unknown})" >>"$HEAD"

seed "$USERS" "$USERS"
ids="$SCRATCH/seed/user-ids.txt"
mint_tokens "$ids" "$TOKENS" "$SCRATCH/tokens.txt"
head -n "$HOT_IDS" "$ids" >"$SCRATCH/hot-ids.txt"
LIMITS=$(python3 "$BENCH_DIR/stats.py" raise-limits "$ROOT/src/main/resources/defaults.json" 1000)

envs=()
mapfile -t envs < <(spillway_env "$PORT" "$MGMT_PORT")
: >"$SCRATCH/measured.log"
# shellcheck disable=SC2086
(cd "$ROOT" && exec env "${envs[@]}" SPILLWAY_LIMITS_POLICIES="$LIMITS" java $SERVER_JVM_OPTS -jar "$JAR" \
  -conf conf/config.json >>"$SCRATCH/measured.log" 2>&1) &
BENCH_PIDS[measured]=$!
wait_http "http://127.0.0.1:$PORT/health/ready" 90 "${BENCH_PIDS[measured]}"
pid=${BENCH_PIDS[measured]}
: >"$SCRATCH/unlimited.log"
# shellcheck disable=SC2086
(cd "$ROOT" && exec env "${envs[@]}" SPILLWAY_HTTP_PORT=$((PORT + 2)) SPILLWAY_MANAGEMENT_PORT=$((MGMT_PORT + 2)) \
  SPILLWAY_LIMITS_ENABLED=false java $SERVER_JVM_OPTS -jar "$JAR" -conf conf/config.json >>"$SCRATCH/unlimited.log" 2>&1) &
BENCH_PIDS[unlimited]=$!
wait_http "http://127.0.0.1:$((PORT + 2))/health/ready" 90 "${BENCH_PIDS[unlimited]}"
unlimited_pid=${BENCH_PIDS[unlimited]}
redis_pid=$(redis-cli -h 127.0.0.1 -p "$BENCH_REDIS_PORT" info server | awk -F: '/process_id/{print $2}' | tr -d '\r')

url="http://127.0.0.1:$PORT"
api=(REQ_PATH=/v1/users/{id} TOKENS_FILE="$SCRATCH/tokens.txt" IDS_FILE="$SCRATCH/hot-ids.txt")
warm_wrk "$url" "$WARMUP" "${api[@]}"
warm_wrk "http://127.0.0.1:$((PORT + 2))" "$WARMUP" "${api[@]}"
warm_wrk "$url" "$WARMUP" REQ_PATH=/health/live

cpu() { awk '{print $14+$15}' "/proc/$1/stat"; }
measure() { # ROUTE ROUND
  local route="$1" round="$2" s0 r0 s1 r1 line requests server=$pid
  [ "$route" = api-unlimited ] && server=$unlimited_pid
  s0=$(cpu "$server"); r0=$(cpu "$redis_pid")
  case "$route" in
    api) line=$(run_wrk "$route round $round" "$url" "$DURATION" "${api[@]}") ;;
    api-unlimited) line=$(run_wrk "$route round $round" "http://127.0.0.1:$((PORT + 2))" "$DURATION" "${api[@]}") ;;
    live) line=$(run_wrk "$route round $round" "$url" "$DURATION" REQ_PATH=/health/live) ;;
  esac
  s1=$(cpu "$server"); r1=$(cpu "$redis_pid")
  requests=$(awk '/requests in/{print $1; exit}' "$SCRATCH/wrk.out")
  line="$line $(python3 -c "print('server_cpu_us=%.1f redis_cpu_us=%.1f' % (($s1 - $s0) * 1e4 / $requests, ($r1 - $r0) * 1e4 / $requests))")"
  record cost "$route" "$round" "$line"
  echo "$route round $round: $line"
}
while read -r round route; do measure "$route" "$round"; done < <(round_order "$ROUNDS" api api-unlimited live)
errors="$(server_errors measured) + $(server_errors unlimited)"
stop_all

summary="$SCRATCH/cost.summary"
{
  echo "# CPU per request"
  echo
  echo "wrk -t$THREADS -c$CONNS -d$DURATION, $ROUNDS rounds interleaved after a $WARMUP warm-up per route; medians."
  echo "api = GET /v1/users/{id} ($TOKENS users' tokens, $HOT_IDS ids, limits as shipped x1000); api-unlimited = the same"
  echo "on a node with limits.enabled=false; live = GET /health/live."
  echo
  python3 "$BENCH_DIR/stats.py" cost "$ROUNDS_FILE"
  echo "server errors logged: $errors"
} >"$summary"
cat "$summary"
finish_results "$summary"
