#!/usr/bin/env bash
# GET /health/live with wrk: the cost of the router, request ids and the access log, with no I/O behind it.
source "$(dirname "$0")/lib.sh"
ensure_wrk
build_jar
DURATION=${DURATION:-15s}
CONNS=${CONNS:-64}
start_server "$RESULTS/health-server.log" SPILLWAY_HTTP_ACCESS_LOG_SAMPLE_RATE=0.0
wrk -t2 -c"$CONNS" -d5s http://127.0.0.1:8080/health/live >/dev/null   # warm-up
wrk -t2 -c"$CONNS" -d"$DURATION" --latency http://127.0.0.1:8080/health/live | tee "$RESULTS/health.txt"
stop_server
echo "| $(date -u +%F) | GET /health/live | wrk -t2 -c$CONNS -d$DURATION | $(wrk_rps "$RESULTS/health.txt") req/s | p50 $(wrk_p50 "$RESULTS/health.txt") | p99 $(wrk_p99 "$RESULTS/health.txt") |"
