#!/usr/bin/env bash
# What one request costs, in CPU, with no profiler attached: Spillway's main read path (GET /v1/users/{id}
# with a JWT from TOKENS distinct users, each from an address of its own (X-Forwarded-For), over HOT_IDS ids,
# the shipped rate-limit policies with their numbers raised so no client is refused, metrics on, access log
# as shipped), the same read on a second node with the limiter off (api-unlimited: what the limits cost), on
# a third whose leases are the units the shipped shares are of the shipped numbers (api-unitleases: leases
# that do not follow the raised limits, so they are fetched 1,000 times as often), the read of ids no
# cache holds (miss: near cache, Redis GET, PostgreSQL, Redis SET; Redis flushed and the near cache's TTL let
# pass before each round, each wrk thread walking its own slice of the USERS-HOT_IDS other ids, none read twice
# in a round), and the liveness probe, each under wrk for DURATION after a warm-up, ROUNDS times interleaved.
# For each run:
# requests/s and the CPU microseconds per request of the Spillway process, of redis-server and of PostgreSQL
# (utime+stime over the run / requests). CPU per request moves far less with a busy neighbour than
# requests/s do, but this host's speed drifts by 10-20% over minutes, so two builds are compared in ONE run:
# BASE_JAR (with BASE_COMMIT naming it) adds a node of that build, measured in the same interleaved rounds as
# api@base, miss@base and live@base. Its policies give leases in units, as api-unitleases's do (a build from
# before lease shares reads only units), unless BASE_LEASES=shares: then the same policies as api's.
#
#   git worktree add /tmp/base <commit> && (cd /tmp/base && mvn -B -q -DskipTests package)
#   BASE_JAR=/tmp/base/target/spillway.jar BASE_COMMIT=<commit> PORT=28080 MGMT_PORT=28081 bench/cost.sh
source "$(dirname "$0")/lib.sh"
# Enough ids that no miss round reads one twice (checked after each: cold_walk_check).
USERS=${USERS:-300000}
TOKENS=${TOKENS:-256}
HOT_IDS=${HOT_IDS:-2000}
BASE_JAR=${BASE_JAR:-}

ensure_tools wrk curl psql redis-cli
build_server
open_results cost
echo "measured jar: target/spillway.jar (commit $COMMIT)" >>"$HEAD"
[ -n "$BASE_JAR" ] && echo "base jar: $BASE_JAR (commit ${BASE_COMMIT:-unknown})" >>"$HEAD"

seed "$USERS" "$USERS"
ids="$SCRATCH/seed/user-ids.txt"
mint_tokens "$ids" "$TOKENS" "$SCRATCH/tokens.txt"
head -n "$HOT_IDS" "$ids" >"$SCRATCH/hot-ids.txt"
tail -n +"$((HOT_IDS + 1))" "$ids" >"$SCRATCH/cold-ids.txt"
LIMITS=$(python3 "$BENCH_DIR/stats.py" raise-limits "$ROOT/src/main/resources/defaults.json" 1000)

declare -A NODE_PORT NODE_PID
# node NAME K JAR [ENV=VALUE...]: a node of JAR on PORT+2K / MGMT_PORT+2K, with the bench's data.
node() {
  local name="$1" k="$2" jar="$3"; shift 3
  NODE_JAR="$jar" start_spillway "$name" $((PORT + 2 * k)) $((MGMT_PORT + 2 * k)) "$@"
  NODE_PORT[$name]=$((PORT + 2 * k))
  NODE_PID[$name]=${BENCH_PIDS[$name]}
}
node measured 0 "$ROOT/target/spillway.jar" SPILLWAY_LIMITS_POLICIES="$LIMITS"
node unlimited 1 "$ROOT/target/spillway.jar" SPILLWAY_LIMITS_ENABLED=false
# The same policies with the shipped shares turned into units of the shipped numbers (50, 20, 10, 20): what
# leases that do not follow the raised limits cost in fetches (api-unitleases minus api).
UNIT_LIMITS=$(python3 "$BENCH_DIR/stats.py" raise-limits "$ROOT/src/main/resources/defaults.json" 1000 1 units)
node unitleases 3 "$ROOT/target/spillway.jar" SPILLWAY_LIMITS_POLICIES="$UNIT_LIMITS"
targets=(api api-unitleases api-unlimited miss live)
if [ -n "$BASE_JAR" ]; then
  base_limits=$UNIT_LIMITS
  [ "${BASE_LEASES:-units}" = shares ] && base_limits=$LIMITS
  node base 2 "$BASE_JAR" SPILLWAY_LIMITS_POLICIES="$base_limits"
  targets+=(api@base miss@base live@base)
fi
# TARGETS (e.g. "api api@base") measures only those.
if [ -n "${TARGETS:-}" ]; then read -r -a targets <<<"$TARGETS"; fi
redis_pid=$(redis-cli -h 127.0.0.1 -p "$BENCH_REDIS_PORT" info server | awk -F: '/process_id/{print $2}' | tr -d '\r')

api=(REQ_PATH=/v1/users/{id} TOKENS_FILE="$SCRATCH/tokens.txt" IDS_FILE="$SCRATCH/hot-ids.txt" ADDRESSES=1)
node_of() {
  case "$1" in api|live|miss) echo measured ;; api-unlimited) echo unlimited ;; api-unitleases) echo unitleases ;; *@base) echo base ;; esac
}
request_of() {
  case "$1" in
    api*) echo "${api[@]}" ;;
    miss*) echo REQ_PATH=/v1/users/{id} TOKENS_FILE="$SCRATCH/tokens.txt" ADDRESSES=1 IDS_FILE="$SCRATCH/cold-ids.txt" IDS_ORDER=walk ;;
    live*) echo REQ_PATH=/health/live ;;
  esac
}
for t in "${targets[@]}"; do
  # shellcheck disable=SC2046 # request_of prints ENV=VALUE words
  warm_wrk "http://127.0.0.1:${NODE_PORT[$(node_of "$t")]}" "$WARMUP" $(request_of "$t")
done

cpu() { awk '{print $14+$15}' "/proc/$1/stat"; }
pg_cpu() { # every PostgreSQL process, ticks (those that ended during the run are not counted)
  local t=0 p
  for p in $(pgrep -u postgres); do t=$((t + $(awk '{print $14+$15}' "/proc/$p/stat" 2>/dev/null || echo 0))); done
  echo "$t"
}
measure() { # TARGET ROUND
  local target="$1" round="$2" n s0 r0 s1 r1 line requests
  n=$(node_of "$target")
  case "$target" in miss*) uncache ;; esac
  s0=$(cpu "${NODE_PID[$n]}"); r0=$(cpu "$redis_pid"); p0=$(pg_cpu)
  # shellcheck disable=SC2046
  line=$(run_wrk "$target round $round" "http://127.0.0.1:${NODE_PORT[$n]}" "$DURATION" $(request_of "$target"))
  s1=$(cpu "${NODE_PID[$n]}"); r1=$(cpu "$redis_pid"); p1=$(pg_cpu)
  requests=$(awk '/requests in/{print $1; exit}' "$SCRATCH/wrk.out")
  case "$target" in miss*) cold_walk_check "$target round $round" "$SCRATCH/cold-ids.txt" ;; esac
  line="$line $(python3 -c "print('server_cpu_us=%.1f redis_cpu_us=%.1f pg_cpu_us=%.1f' % (($s1 - $s0) * 1e4 / $requests, ($r1 - $r0) * 1e4 / $requests, ($p1 - $p0) * 1e4 / $requests))")"
  record cost "$target" "$round" "$line"
  echo "$target round $round: $line"
}
while read -r round target; do measure "$target" "$round"; done < <(round_order "$ROUNDS" "${targets[@]}")
errors=""
for n in "${!NODE_PID[@]}"; do errors+="$n $(server_errors "$n") "; done
stop_all

summary="$SCRATCH/cost.summary"
{
  echo "# CPU per request"
  echo
  echo "wrk -t$THREADS -c$CONNS -d$DURATION, $ROUNDS rounds interleaved after a $WARMUP warm-up per target; medians."
  echo "api = GET /v1/users/{id} ($TOKENS users' tokens, $HOT_IDS ids, limits as shipped x1000); api-unlimited = the same"
  echo "on a node with limits.enabled=false; api-unitleases = on a node whose leases are the shipped shares' units"
  echo "of the shipped numbers (they do not follow the raised limits);"
  echo "miss = GET /v1/users/{id} over ids no cache holds; live = GET /health/live; @base = the same on the base jar's node."
  echo
  python3 "$BENCH_DIR/stats.py" cost "$ROUNDS_FILE"
  echo "server errors logged: $errors"
} >"$summary"
cat "$summary"
finish_results "$summary"
