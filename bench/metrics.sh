#!/usr/bin/env bash
# The cost of observability on GET /v1/users/{id}: two nodes side by side on the same data, metrics and
# trace propagation on (as shipped) and off. Many distinct clients (TOKENS users' tokens, one at random per
# request). Rate limits and shedding off and access log 0 on both (observability alone). Fresh data; a
# WARMUP per node; ROUNDS rounds of DURATION interleaved; medians. Good: a 2xx answer within SLO_MS (100 ms).
#
#   PORT=28080 MGMT_PORT=28081 bench/metrics.sh    (the second node on PORT+2, MGMT_PORT+2)
source "$(dirname "$0")/lib.sh"
USERS=${USERS:-20000}
TOKENS=${TOKENS:-1000}
SLO_MS=${SLO_MS:-100}
export SLO_MS
ensure_tools wrk psql redis-cli curl
port_free "$PORT"; port_free "$MGMT_PORT"; port_free "$((PORT + 2))"; port_free "$((MGMT_PORT + 2))"
build_server
open_results metrics
seed "$USERS" "$USERS" 0 0
mint_tokens "$SCRATCH/seed/user-ids.txt" "$TOKENS" "$SCRATCH/tokens.txt"
head -n 2000 "$SCRATCH/seed/user-ids.txt" >"$SCRATCH/ids.txt"
COMMON=(SPILLWAY_HTTP_ACCESS_LOG_SAMPLE_RATE=0.0 SPILLWAY_SHED_ENABLED=false SPILLWAY_LIMITS_ENABLED=false)
start_spillway on "$PORT" "$MGMT_PORT" "${COMMON[@]}" SPILLWAY_METRICS_ENABLED=true SPILLWAY_TRACING_ENABLED=true
start_spillway off "$((PORT + 2))" "$((MGMT_PORT + 2))" "${COMMON[@]}" SPILLWAY_METRICS_ENABLED=false \
  SPILLWAY_TRACING_ENABLED=false
url_of() { if [ "$1" = on ]; then echo "http://127.0.0.1:$PORT"; else echo "http://127.0.0.1:$((PORT + 2))"; fi; }
A=(REQ_PATH='/v1/users/{id}' TOKENS_FILE="$SCRATCH/tokens.txt" IDS_FILE="$SCRATCH/ids.txt")

for t in on off; do warm_wrk "$(url_of $t)" "$WARMUP" "${A[@]}"; done
while read -r round target; do
  line=$(run_wrk "$target round $round" "$(url_of "$target")" "$DURATION" "${A[@]}")
  record metrics "$target" "$round" "$line"
  echo "$target round $round: $line"
done < <(round_order "$ROUNDS" on off)
stop_all

summary="$SCRATCH/metrics.summary"
{
  echo "# Observability: metrics and trace propagation on vs off"
  echo
  echo "GET /v1/users/{id}, $TOKENS distinct users' tokens; wrk -t$THREADS -c$CONNS -d$DURATION, $ROUNDS rounds interleaved" \
    "after a $WARMUP warm-up per node; medians. Good = 2xx within $SLO_MS ms. Limits and shedding off, access log 0."
  echo
  python3 "$BENCH_DIR/stats.py" summary "$ROUNDS_FILE" metrics on/off
} >"$summary"
cat "$summary"
finish_results "$summary"
