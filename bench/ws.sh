#!/usr/bin/env bash
# WebSocket fan-out on one node: CONNS sockets (10000) each following CHANNELS authors (4), RATE posts per
# second (10) through REST for SECONDS_ (30) after a 5 s warm-up; every post is delivered to every socket.
# Reports connections held, the server's heap per connection (after a full GC, via jcmd), deliveries per
# second and commit-to-client latency (the event's time, stamped in the writing transaction, to the moment
# the client reads the frame). The client is io.spillway.bench.WsLoad (test sources); the server is the
# production jar with a 512 MiB heap, access log 0 and shedding off (see below); Kafka runs in a JVM of its
# own (the test broker) on KAFKA_PORT.
# Fresh data. Good: every delivery arrives (none lost) within 250 ms at p99.
#
#   PORT=28080 MGMT_PORT=28081 KAFKA_PORT=29092 bench/ws.sh
source "$(dirname "$0")/lib.sh"
CONNS_WS=${CONNS_WS:-10000}
CHANNELS=${CHANNELS:-4}
RATE=${RATE:-10}
SECONDS_=${SECONDS_:-30}
KAFKA_PORT=${KAFKA_PORT:-9092}
ulimit -n 65536 2>/dev/null || true   # 10,000 sockets per process fit in the usual 20,000 too
ensure_tools psql redis-cli curl
port_free "$PORT"; port_free "$MGMT_PORT"; port_free "$KAFKA_PORT"
build_server
build_test_classpath
open_results ws
seed 1000 0 0 0

java -Xmx512m -cp "$TEST_CP" io.spillway.bench.BenchKafka "$KAFKA_PORT" >"$SCRATCH/ws-kafka.log" 2>&1 &
BENCH_PIDS[kafka]=$!
for _ in $(seq 1 150); do grep -q "kafka ready" "$SCRATCH/ws-kafka.log" && break; sleep 0.2; done
grep -q "kafka ready" "$SCRATCH/ws-kafka.log" || { echo "kafka did not start" >&2; tail -20 "$SCRATCH/ws-kafka.log" >&2; exit 1; }

# Shedding off: the client opens its sockets 500 at a time, and the shipped concurrency limit (16 to start)
# answers most of such a burst of upgrades with 503. This bench measures fan-out, not connection storms.
# Every socket comes from one address for one user: the per-user and per-address socket caps and the
# upgrade limit (stream-connects) are lifted for the same reason.
SERVER_JVM_OPTS="-Xms512m -Xmx512m -XX:+UseParallelGC" start_spillway ws "$PORT" "$MGMT_PORT" \
  SPILLWAY_KAFKA_BOOTSTRAP_SERVERS="127.0.0.1:$KAFKA_PORT" SPILLWAY_HTTP_ACCESS_LOG_SAMPLE_RATE=0.0 \
  SPILLWAY_SHED_ENABLED=false SPILLWAY_LIMITS_ENABLED=false SPILLWAY_STREAM_MAX_CONNECTIONS_PER_USER=1000000 \
  SPILLWAY_STREAM_MAX_CONNECTIONS_PER_ADDRESS=1000000
# Per-process CPU while the load runs (the client shares the two cores with the server, Kafka, Pg, Redis).
(sleep $((SECONDS_ / 2 + 20)); top -b -c -w 180 -n 1 -d 1 | head -14 >"$SCRATCH/ws-top.txt") &
top_pid=$!
curl -fs "http://127.0.0.1:$MGMT_PORT/metrics" >"$SCRATCH/ws-metrics-before.txt"
java -Xmx1g -XX:+UseParallelGC -cp "$TEST_CP" -Dws.port="$PORT" -Dws.serverPid="${BENCH_PIDS[ws]}" \
  -Dws.connections="$CONNS_WS" -Dws.channels="$CHANNELS" -Dws.rate="$RATE" -Dws.seconds="$SECONDS_" \
  io.spillway.bench.WsLoad | tee "$SCRATCH/ws.out"
wait "$top_pid" || true
# Where the time goes, from the server's own histograms over WsLoad's run (its warm-up and measured window):
# commit -> Kafka's ack (the outbox, both shards) and commit -> hand-over to the hubs (plus this node's fetch
# and the history write); commit -> client is WsLoad's, above. Upper bucket bounds, so upper estimates.
curl -fs "http://127.0.0.1:$MGMT_PORT/metrics" >"$SCRATCH/ws-metrics-after.txt"
for stage in "commit -> Kafka ack (outbox):spillway_outbox_delay_seconds" \
    "commit -> hubs (outbox, Kafka, fetch, history):spillway_push_delay_seconds"; do
  echo "stage ${stage%%:*}: $(python3 "$BENCH_DIR/stats.py" histogram "$SCRATCH/ws-metrics-before.txt" \
    "$SCRATCH/ws-metrics-after.txt" "${stage##*:}")"
done | tee -a "$SCRATCH/ws.out"
{ echo "### WsLoad ws.connections=$CONNS_WS ws.channels=$CHANNELS ws.rate=$RATE ws.seconds=$SECONDS_"; cat "$SCRATCH/ws.out"
  echo; echo "### top during the run"; cat "$SCRATCH/ws-top.txt"; } >>"$RAW"
errors=$(server_errors ws)
stop_process ws   # before Kafka, so the node does not spend its last seconds failing polls
stop_all

summary="$SCRATCH/ws.summary"
{
  echo "# WebSocket fan-out: $CONNS_WS connections x $CHANNELS channels, $RATE posts/s for $SECONDS_ s"
  echo
  grep -E '^(connections held|server heap|posts:|deliveries:|commit-to-client|cpu in the window|stage )' "$SCRATCH/ws.out"
  echo "server errors logged: $errors"
} >"$summary"
cat "$summary"
finish_results "$summary"
