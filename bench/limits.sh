#!/usr/bin/env bash
# The cost of exact, Redis-backed rate limits: GET /v1/users/{id} with limits off, with one policy and with
# two policies (all evaluated in one EVALSHA), limits high enough that nothing is rejected, in one run.
# Redis calls per request come from Redis' own command statistics.
source "$(dirname "$0")/lib.sh"
ensure_wrk
build_jar
DURATION=${DURATION:-15s}
CONNS=${CONNS:-64}

ids_file=$(user_ids_file) || exit 1
export IDS_FILE="$ids_file"

ONE='[{"name":"bench-bucket","algorithm":"token-bucket","rate":10000000,"burst":10000000,"key":["client"],"routes":[{"path":"/v1/*"}]}]'
TWO='[{"name":"bench-bucket","algorithm":"token-bucket","rate":10000000,"burst":10000000,"key":["client"],"routes":[{"path":"/v1/*"}]},{"name":"bench-window","algorithm":"sliding-window-counter","limit":100000000,"windowSeconds":60,"key":["client"],"routes":[{"path":"/v1/*"}]}]'

evalsha_calls() { redis-cli -h 127.0.0.1 info commandstats | awk -F'[:=,]' '/^cmdstat_evalsha:/{print $3}' | tr -d '\r'; }

measure() { # name env...
  local name="$1"; shift
  start_server "$RESULTS/limits-$name-server.log" SPILLWAY_HTTP_ACCESS_LOG_SAMPLE_RATE=0.0 SPILLWAY_SHED_ENABLED=false "$@"
  wrk -t2 -c"$CONNS" -d5s -s "$BENCH_DIR/users-anon.lua" http://127.0.0.1:8080 >/dev/null
  local before; before=$(evalsha_calls); before=${before:-0}
  wrk -t2 -c"$CONNS" -d"$DURATION" --latency -s "$BENCH_DIR/users-anon.lua" http://127.0.0.1:8080 \
    | tee "$RESULTS/limits-$name.txt"
  local after; after=$(evalsha_calls); after=${after:-0}
  local requests; requests=$(awk '/requests in/{print $1}' "$RESULTS/limits-$name.txt")
  python3 -c "print('redis EVALSHA per request: %.3f' % (($after - $before) / $requests))" | tee -a "$RESULTS/limits-$name.txt"
  stop_server
}
measure off SPILLWAY_LIMITS_ENABLED=false
measure one SPILLWAY_LIMITS_POLICIES="$ONE"
measure two SPILLWAY_LIMITS_POLICIES="$TWO"
off=$(wrk_rps "$RESULTS/limits-off.txt"); one=$(wrk_rps "$RESULTS/limits-one.txt"); two=$(wrk_rps "$RESULTS/limits-two.txt")
for n in off one two; do
  echo "| $(date -u +%F) | limits $n | $(wrk_rps "$RESULTS/limits-$n.txt") req/s | p50 $(wrk_p50 "$RESULTS/limits-$n.txt") | p99 $(wrk_p99 "$RESULTS/limits-$n.txt") | $(awk '/EVALSHA/{print $5}' "$RESULTS/limits-$n.txt") EVALSHA/req |"
done
python3 -c "print('one policy: %.0f%% of unlimited; two policies: %.0f%%' % (100 * $one / $off, 100 * $two / $off))"
