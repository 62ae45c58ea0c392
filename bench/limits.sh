#!/usr/bin/env bash
# The cost of rate limits on GET /v1/users/{id}: four nodes side by side on the same data, limits off, one
# exact policy (token bucket), two exact policies (token bucket + sliding-window counter), and the shipped
# policies as they ship (four apply to this read: per-address, api-per-client, free-throttle, free-quota,
# all leased) with their numbers multiplied by 1,000; limits high enough that nothing is refused, so every
# request is counted. Many distinct clients:
# each request carries the token of one of TOKENS users (the limit key is the user), so the limiter keeps
# TOKENS keys per policy, not one.
# Shedding off and access log 0 on all three (the limiter alone). Fresh data; a WARMUP per node; ROUNDS
# rounds of DURATION interleaved (off one two, two one off, ...); medians. Good: a 2xx answer within SLO_MS
# (100 ms). Redis calls per request: EVALSHA from Redis' INFO commandstats around each run. That count is
# Redis-wide: anything else using this Redis server adds to it; the "off" runs show that background.
#
#   PORT=28080 MGMT_PORT=28081 bench/limits.sh     (nodes on PORT, PORT+2, +4, +6 and MGMT_PORT, +2, +4, +6)
source "$(dirname "$0")/lib.sh"
USERS=${USERS:-20000}
TOKENS=${TOKENS:-1000}
SLO_MS=${SLO_MS:-100}
export SLO_MS
ensure_tools wrk psql redis-cli curl
for k in 0 2 4 6; do port_free "$((PORT + k))"; port_free "$((MGMT_PORT + k))"; done
build_server
open_results limits
seed "$USERS" "$USERS" 0 0
mint_tokens "$SCRATCH/seed/user-ids.txt" "$TOKENS" "$SCRATCH/tokens.txt"
head -n 2000 "$SCRATCH/seed/user-ids.txt" >"$SCRATCH/ids.txt"

ONE='[{"name":"bench-bucket","algorithm":"token-bucket","rate":10000000,"burst":10000000,"key":["client"],"routes":[{"path":"/v1/*"}]}]'
TWO='[{"name":"bench-bucket","algorithm":"token-bucket","rate":10000000,"burst":10000000,"key":["client"],"routes":[{"path":"/v1/*"}]},{"name":"bench-window","algorithm":"sliding-window-counter","limit":100000000,"windowSeconds":60,"key":["client"],"routes":[{"path":"/v1/*"}]}]'
SHIPPED=$(python3 "$BENCH_DIR/stats.py" raise-limits "$ROOT/src/main/resources/defaults.json" 1000)
COMMON=(SPILLWAY_HTTP_ACCESS_LOG_SAMPLE_RATE=0.0 SPILLWAY_SHED_ENABLED=false)
start_spillway off "$PORT" "$MGMT_PORT" "${COMMON[@]}" SPILLWAY_LIMITS_ENABLED=false
start_spillway one "$((PORT + 2))" "$((MGMT_PORT + 2))" "${COMMON[@]}" SPILLWAY_LIMITS_POLICIES="$ONE"
start_spillway two "$((PORT + 4))" "$((MGMT_PORT + 4))" "${COMMON[@]}" SPILLWAY_LIMITS_POLICIES="$TWO"
start_spillway shipped "$((PORT + 6))" "$((MGMT_PORT + 6))" "${COMMON[@]}" SPILLWAY_LIMITS_POLICIES="$SHIPPED"
url_of() { case "$1" in off) echo "http://127.0.0.1:$PORT" ;; one) echo "http://127.0.0.1:$((PORT + 2))" ;;
  two) echo "http://127.0.0.1:$((PORT + 4))" ;; shipped) echo "http://127.0.0.1:$((PORT + 6))" ;; esac; }
A=(REQ_PATH='/v1/users/{id}' TOKENS_FILE="$SCRATCH/tokens.txt" IDS_FILE="$SCRATCH/ids.txt")
evalsha_calls() { redis-cli -h 127.0.0.1 info commandstats | awk -F'[:=,]' '/^cmdstat_evalsha:/{print $3}' | tr -d '\r'; }

for t in off one two shipped; do warm_wrk "$(url_of $t)" "$WARMUP" "${A[@]}"; done
while read -r round target; do
  before=$(evalsha_calls); before=${before:-0}
  line=$(run_wrk "$target round $round" "$(url_of "$target")" "$DURATION" "${A[@]}")
  after=$(evalsha_calls); after=${after:-0}
  requests=$(sed 's/.*requests=\([0-9]*\).*/\1/' <<<"$line")
  per=$(python3 -c "print('%.3f' % (($after - $before) / $requests))")
  echo "redis EVALSHA calls during the run: $((after - before)) for $requests requests ($per per request)" >>"$RAW"
  record limits "$target" "$round" "$line evalsha_per_request=$per"
  echo "$target round $round: $line evalsha_per_request=$per"
done < <(round_order "$ROUNDS" off one two shipped)
errors="off $(server_errors off), one $(server_errors one), two $(server_errors two), shipped $(server_errors shipped)"
stop_all

summary="$SCRATCH/limits.summary"
{
  echo "# Rate limits: what exact and shipped (leased) limits cost"
  echo
  echo "GET /v1/users/{id}, $TOKENS distinct users' tokens; wrk -t$THREADS -c$CONNS -d$DURATION, $ROUNDS rounds interleaved" \
    "after a $WARMUP warm-up per node; medians. Good = 2xx within $SLO_MS ms. Shedding off, access log 0."
  echo
  python3 "$BENCH_DIR/stats.py" summary "$ROUNDS_FILE" limits one/off
  python3 "$BENCH_DIR/stats.py" summary "$ROUNDS_FILE" limits two/off | grep '^ratio'
  python3 "$BENCH_DIR/stats.py" summary "$ROUNDS_FILE" limits shipped/off | grep '^ratio'
  for t in off one two shipped; do
    echo "evalsha per request, $t: $(python3 "$BENCH_DIR/stats.py" median "$ROUNDS_FILE" limits "$t" evalsha_per_request) (median; Redis-wide count)"
  done
  echo
  echo "server errors logged: $errors"
} >"$summary"
cat "$summary"
finish_results "$summary"
