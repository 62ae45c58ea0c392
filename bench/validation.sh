#!/usr/bin/env bash
# What validating reads against the OpenAPI contract (vertx-openapi) costs on the hot path, two ways:
#   1. CPU per request in one thread, in process: the contract validator on GET /v1/users/{id} and on a list
#      with limit and cursor, next to the hand checks the API runs instead (src/test/java/io/spillway/bench/
#      ValidationCost.java), and on a POST body, which the API always validates from the contract;
#   2. GET /v1/users/{id} under wrk on two nodes side by side, one with api.validateReads=false (as shipped),
#      one with it true, interleaved (A B, B A, ...), ROUNDS rounds of DURATION after a WARMUP each.
# Fresh data. docs/api.md quotes the figures from this script's result file.
#
#   PORT=28080 MGMT_PORT=28081 bench/validation.sh
source "$(dirname "$0")/lib.sh"
USERS=${USERS:-20000}
ACTIVE_USERS=${ACTIVE_USERS:-5000}
MICRO_SECONDS=${MICRO_SECONDS:-5}
ensure_tools wrk psql redis-cli curl
port_free "$PORT"; port_free "$MGMT_PORT"; port_free $((PORT + 2)); port_free $((MGMT_PORT + 2))
build_server
build_test_classpath
open_results validation

micro="$SCRATCH/validation.micro"
java -Xms256m -Xmx1g -XX:+UseParallelGC -cp "$TEST_CP" io.spillway.bench.ValidationCost "$MICRO_SECONDS" "$ROUNDS" \
  2>/dev/null | grep '^round' | tee "$micro"
cat "$micro" >>"$RAW"

seed "$USERS" "$ACTIVE_USERS"
common=(SPILLWAY_HTTP_ACCESS_LOG_SAMPLE_RATE=0.0 SPILLWAY_LIMITS_ENABLED=false SPILLWAY_SHED_ENABLED=false)
start_spillway hand "$PORT" "$MGMT_PORT" "${common[@]}" SPILLWAY_API_VALIDATE_READS=false
start_spillway contract $((PORT + 2)) $((MGMT_PORT + 2)) "${common[@]}" SPILLWAY_API_VALIDATE_READS=true
A=(IDS_FILE="$SCRATCH/seed/user-ids.txt" REQ_PATH='/v1/users/{id}' SLO_MS=100)

measure() { # TARGET ROUND (ROUND 0: warm-up)
  local target="$1" round="$2" port="$PORT" line
  [ "$target" = contract ] && port=$((PORT + 2))
  if [ "$round" = 0 ]; then warm_wrk "http://127.0.0.1:$port" "$WARMUP" "${A[@]}"; return; fi
  line=$(run_wrk "$target round $round" "http://127.0.0.1:$port" "$DURATION" "${A[@]}")
  record validation "$target" "$round" "$line"
  echo "$target round $round: $line"
}
for t in hand contract; do measure "$t" 0; done
while read -r round target; do measure "$target" "$round"; done < <(round_order "$ROUNDS" hand contract)
errors=$(( $(server_errors hand) + $(server_errors contract) ))
stop_all

summary="$SCRATCH/validation.summary"
{
  echo "# Validating reads from the OpenAPI contract: the cost on the hot path"
  echo
  echo "## CPU per call, one thread (ns/op; $MICRO_SECONDS s per case, $ROUNDS rounds)"
  sed 's/^/  /' "$micro"
  echo
  echo "## GET /v1/users/{id} under wrk -t$THREADS -c$CONNS -d$DURATION, $ROUNDS rounds interleaved"
  echo "hand: api.validateReads=false (shipped); contract: api.validateReads=true. Data: $USERS users."
  echo
  python3 "$BENCH_DIR/stats.py" summary "$ROUNDS_FILE" validation contract/hand
  echo
  echo "server errors logged: $errors"
} >"$summary"
cat "$summary"
finish_results "$summary"
