#!/usr/bin/env bash
# The cost of observability: GET /v1/users/{id} with metrics and tracing on, then off, in one run.
source "$(dirname "$0")/lib.sh"
ensure_wrk
build_jar
DURATION=${DURATION:-15s}
CONNS=${CONNS:-64}

ids_file=$(user_ids_file) || exit 1
export IDS_FILE="$ids_file" TOKEN=none

measure() { # name env...
  local name="$1"; shift
  start_server "$RESULTS/metrics-$name-server.log" SPILLWAY_HTTP_ACCESS_LOG_SAMPLE_RATE=0.0 SPILLWAY_SHED_ENABLED=false SPILLWAY_LIMITS_ENABLED=false "$@"
  wrk -t2 -c"$CONNS" -d5s -s "$BENCH_DIR/users-anon.lua" http://127.0.0.1:8080 >/dev/null
  wrk -t2 -c"$CONNS" -d"$DURATION" --latency -s "$BENCH_DIR/users-anon.lua" http://127.0.0.1:8080 \
    | tee "$RESULTS/metrics-$name.txt"
  stop_server
}
measure on SPILLWAY_METRICS_ENABLED=true SPILLWAY_TRACING_ENABLED=true
measure off SPILLWAY_METRICS_ENABLED=false SPILLWAY_TRACING_ENABLED=false
on=$(wrk_rps "$RESULTS/metrics-on.txt"); off=$(wrk_rps "$RESULTS/metrics-off.txt")
echo "| $(date -u +%F) | GET /v1/users/{id} | metrics+tracing on | $on req/s | p99 $(wrk_p99 "$RESULTS/metrics-on.txt") |"
echo "| $(date -u +%F) | GET /v1/users/{id} | metrics+tracing off | $off req/s | p99 $(wrk_p99 "$RESULTS/metrics-off.txt") |"
python3 -c "print('cost: %.1f%%' % (100 * (1 - $on / $off)))"
