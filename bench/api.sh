#!/usr/bin/env bash
# The REST API's data path under wrk, and PostgreSQL's own select-only rate on the same machine:
#   users  GET /v1/users/{id}      (objective 100 ms)
#   feed   GET /v1/feed?limit=20   (objective 500 ms; each user follows 20 others with 5 posts each)
#   posts  POST /v1/posts          (objective 250 ms; post + counter + outbox event in one statement)
#   pgbench  pgbench -S -M prepared at the same concurrency (objective 100 ms)
# Each request carries the token of one of TOKENS distinct users, picked at random. The node is the
# production jar on conf/config.json with rate limits and shedding off and the access log sampled to 0:
# the data path alone (bench/limits.sh, bench/overload.sh and bench/health.sh measure those).
# Fresh data; a WARMUP per target; ROUNDS rounds of DURATION with the targets interleaved (forward, then
# backward); medians. Good: a 2xx answer within the target's objective.
#
#   PORT=28080 MGMT_PORT=28081 bench/api.sh
source "$(dirname "$0")/lib.sh"
USERS=${USERS:-20000}
ACTIVE_USERS=${ACTIVE_USERS:-5000}
TOKENS=${TOKENS:-1000}
ensure_tools wrk pgbench psql redis-cli curl
port_free "$PORT"; port_free "$MGMT_PORT"
build_server
open_results api
seed "$USERS" "$ACTIVE_USERS"
pgbench_init
mint_tokens "$SCRATCH/seed/active-ids.txt" "$TOKENS" "$SCRATCH/tokens.txt"
start_spillway api "$PORT" "$MGMT_PORT" SPILLWAY_HTTP_ACCESS_LOG_SAMPLE_RATE=0.0 SPILLWAY_LIMITS_ENABLED=false \
  SPILLWAY_SHED_ENABLED=false
S="http://127.0.0.1:$PORT"
A=(TOKENS_FILE="$SCRATCH/tokens.txt" IDS_FILE="$SCRATCH/seed/active-ids.txt")
POST_BODY='{"text":"benchmark post: the quick brown fox jumps over the lazy dog"}'

measure() { # TARGET ROUND (ROUND 0: warm-up)
  local target="$1" round="$2" line
  local -a req
  case "$target" in
    users) req=(REQ_PATH='/v1/users/{id}' SLO_MS=100) ;;
    feed)  req=(REQ_PATH='/v1/feed?limit=20' SLO_MS=500) ;;
    posts) req=(REQ_METHOD=POST REQ_PATH=/v1/posts REQ_BODY="$POST_BODY" SLO_MS=250) ;;
  esac
  if [ "$round" = 0 ]; then
    if [ "$target" = pgbench ]; then
      pgbench "${PG[@]}" -S -M prepared -c "$CONNS" -j "$THREADS" -T "${WARMUP%s}" -n "$PGBENCH_DB" >/dev/null 2>&1
    else
      warm_wrk "$S" "$WARMUP" "${A[@]}" "${req[@]}"
    fi
    return
  fi
  if [ "$target" = pgbench ]; then
    line=$(SLO_MS=100 run_pgbench "pgbench round $round" "${DURATION%s}")
  else
    line=$(run_wrk "$target round $round" "$S" "$DURATION" "${A[@]}" "${req[@]}")
  fi
  record api "$target" "$round" "$line"
  echo "$target round $round: $line"
}
for t in users feed posts pgbench; do measure "$t" 0; done
while read -r round target; do measure "$target" "$round"; done < <(round_order "$ROUNDS" users feed posts pgbench)
errors=$(server_errors api)
stop_all

summary="$SCRATCH/api.summary"
{
  echo "# The REST API against PostgreSQL's own limit"
  echo
  echo "wrk -t$THREADS -c$CONNS -d$DURATION ($TOKENS distinct users' tokens), pgbench -S -M prepared -c $CONNS -j $THREADS" \
    "(scale ${PGBENCH_SCALE:-10}); $ROUNDS rounds interleaved after a $WARMUP warm-up per target; medians."
  echo "Data: $USERS users, $ACTIVE_USERS with 5 posts and 20 follows. Node: rate limits and shedding off, access log 0."
  echo "Good = 2xx within the objective: users 100 ms, feed 500 ms, posts 250 ms, pgbench 100 ms."
  echo
  python3 "$BENCH_DIR/stats.py" summary "$ROUNDS_FILE" api users/pgbench
  echo
  echo "server errors logged: $errors"
} >"$summary"
cat "$summary"
finish_results "$summary"
