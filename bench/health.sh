#!/usr/bin/env bash
# GET /health/ready: the cost of the router, request ids, metrics, shedding and the access log with no I/O
# behind it (the liveness probe is answered before the router, so it shows none of them), as shipped against the same node with the access log
# sampled to 0, side by side (two nodes, PORT and PORT+2), ROUNDS interleaved rounds of wrk -t$THREADS
# -c$CONNS -d$DURATION after a WARMUP per node; medians. Good: a 2xx answer within SLO_MS (10 ms).
#
#   PORT=28080 MGMT_PORT=28081 bench/health.sh
source "$(dirname "$0")/lib.sh"
SLO_MS=${SLO_MS:-10}
export SLO_MS
ensure_tools wrk psql redis-cli curl
port_free "$PORT"; port_free "$MGMT_PORT"; port_free "$((PORT + 2))"; port_free "$((MGMT_PORT + 2))"
build_server
open_results health
seed 1000 1000   # fresh databases: the node needs its schema, not data
start_spillway shipped "$PORT" "$MGMT_PORT"
start_spillway no-access-log "$((PORT + 2))" "$((MGMT_PORT + 2))" SPILLWAY_HTTP_ACCESS_LOG_SAMPLE_RATE=0.0
url_of() { if [ "$1" = shipped ]; then echo "http://127.0.0.1:$PORT"; else echo "http://127.0.0.1:$((PORT + 2))"; fi; }

for t in shipped no-access-log; do warm_wrk "$(url_of $t)" "$WARMUP" REQ_PATH=/health/ready; done
while read -r round target; do
  line=$(run_wrk "ready $target round $round" "$(url_of "$target")" "$DURATION" REQ_PATH=/health/ready)
  record ready "$target" "$round" "$line"
  echo "$target round $round: $line"
done < <(round_order "$ROUNDS" shipped no-access-log)
stop_all

summary="$SCRATCH/health.summary"
{
  echo "# GET /health/ready, as shipped vs access log sampled to 0"
  echo
  echo "wrk -t$THREADS -c$CONNS -d$DURATION, $ROUNDS rounds interleaved after a $WARMUP warm-up per node; medians."
  echo "Good = 2xx within $SLO_MS ms. Production jar on conf/config.json (http.instances 2), metrics and shedding on."
  echo
  python3 "$BENCH_DIR/stats.py" summary "$ROUNDS_FILE" ready shipped/no-access-log
} >"$summary"
cat "$summary"
finish_results "$summary"
