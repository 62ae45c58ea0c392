#!/usr/bin/env bash
# Overload with mixed priorities: open-loop load at LOAD x the node's capacity (critical POST /v1/posts,
# normal GET /v1/users/{id}, sheddable GET /v1/feed), once with shedding on and once off, in one run.
# Writes a Markdown table: per class, offered rate, goodput, shed, p50/p99 of the successful requests
# (measured from the scheduled send time, so queueing counts).
source "$(dirname "$0")/lib.sh"
build_jar
(cd "$ROOT" && mvn -B -q test-compile)
SECONDS_RUN=${SECONDS_RUN:-20}
LOAD=${LOAD:-2.0}
ids_file=$(user_ids_file) || exit 1
tokens_file="$RESULTS/tokens.txt"
(cd "$ROOT" && mvn -B -q dependency:build-classpath -Dmdep.outputFile="$RESULTS/classpath.txt" -Dmdep.includeScope=test)
CP=$(cat "$RESULTS/classpath.txt"):$ROOT/target/classes:$ROOT/target/test-classes

# Limits off: the point is what the node does when it is overloaded, not what the rate limiter does.
COMMON=(SPILLWAY_HTTP_ACCESS_LOG_SAMPLE_RATE=0.0 SPILLWAY_LIMITS_ENABLED=false)
start_server "$RESULTS/overload-probe.log" "${COMMON[@]}" SPILLWAY_SHED_ENABLED=false
: >"$tokens_file"
for i in $(seq 1 80); do
  curl -fs -X POST http://127.0.0.1:8080/v1/auth/token -H 'Content-Type: application/json' \
    -d "{\"email\":\"seed-$i@example.com\",\"password\":\"seed-password\"}" \
    | python3 -c 'import sys,json; print(json.load(sys.stdin)["access_token"])' >>"$tokens_file"
done
capacity=$(java -cp "$CP" io.spillway.bench.OverloadBench 8080 "$tokens_file" "$ids_file" 3 0.01 probe \
  | sed -n 's/^capacity.*: \([0-9.]*\) req\/s.*/\1/p')
stop_server
echo "capacity: $capacity req/s (closed loop, 64 in flight, shedding off)"

echo "| run | class | offered req/s | goodput req/s | shed req/s | other 4xx/5xx | errors | p50 ms | p99 ms |"
echo "| --- | --- | --- | --- | --- | --- | --- | --- | --- |"
for mode in unloaded on off; do
  if [ "$mode" = off ]; then shed=false; else shed=true; fi
  if [ "$mode" = unloaded ]; then factor=0.3; else factor=$LOAD; fi
  # SHED_ENV: extra settings for the shedding runs, e.g. "SPILLWAY_SHED_INITIAL_LIMIT=16".
  start_server "$RESULTS/overload-$mode.log" "${COMMON[@]}" SPILLWAY_SHED_ENABLED=$shed ${SHED_ENV:-}
  java -Dcapacity="$capacity" -cp "$CP" io.spillway.bench.OverloadBench 8080 "$tokens_file" "$ids_file" \
    "$SECONDS_RUN" "$factor" "shedding $mode (x$factor)" | grep '^|'
  stop_server
done
