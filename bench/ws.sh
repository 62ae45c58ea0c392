#!/usr/bin/env bash
# WebSocket fan-out on one node: CONNS sockets (default 10000) each following CHANNELS authors, RATE posts
# per second through REST, for SECONDS. Reports connections held, server heap per connection (after a full
# GC, via jcmd), deliveries per second and commit-to-client latency. The server runs the production jar with
# a 512 MiB heap; Kafka runs in a JVM of its own (the in-JVM test broker, on 127.0.0.1:9092). Every socket
# comes from one address for one user, so the per-user and per-address caps and the upgrade limit are lifted.
source "$(dirname "$0")/lib.sh"
CONNS=${CONNS:-10000}
CHANNELS=${CHANNELS:-4}
RATE=${RATE:-10}
SECONDS_=${SECONDS_:-30}
ulimit -n 65536 2>/dev/null || true   # 10,000 sockets per process fit in the usual 20,000 too

if curl -fs http://127.0.0.1:8080/health/live >/dev/null 2>&1; then
  echo "something already answers on :8080; stop it first" >&2; exit 1
fi
build_jar
(cd "$ROOT" && mvn -B -q test-compile dependency:build-classpath -Dmdep.outputFile=target/test.cp -Dmdep.includeScope=test)
CP="$ROOT/target/test-classes:$ROOT/target/classes:$(cat "$ROOT/target/test.cp")"
for db in spillway_0 spillway_1; do createdb -h 127.0.0.1 -U postgres "$db" 2>/dev/null || true; done

java -Xmx512m -cp "$CP" io.spillway.bench.BenchKafka 9092 >"$RESULTS/ws-kafka.log" 2>&1 &
KAFKA_PID=$!
# Whatever happens, leave no server or broker behind (a stale server would answer the next run).
trap 'stop_server 2>/dev/null || true; kill $KAFKA_PID 2>/dev/null || true' EXIT
for _ in $(seq 1 150); do grep -q "kafka ready" "$RESULTS/ws-kafka.log" && break; sleep 0.2; done
grep -q "kafka ready" "$RESULTS/ws-kafka.log" || { echo "kafka did not start" >&2; tail -20 "$RESULTS/ws-kafka.log" >&2; exit 1; }

SERVER_JVM_OPTS="-Xms512m -Xmx512m -XX:+UseParallelGC ${SERVER_EXTRA_OPTS:-}" start_server "$RESULTS/ws-server.log" \
  SPILLWAY_KAFKA_BOOTSTRAP_SERVERS=127.0.0.1:9092 SPILLWAY_HTTP_ACCESS_LOG_SAMPLE_RATE=0.0 \
  SPILLWAY_LIMITS_ENABLED=false SPILLWAY_STREAM_MAX_CONNECTIONS_PER_USER=1000000 \
  SPILLWAY_STREAM_MAX_CONNECTIONS_PER_ADDRESS=1000000
# Per-process CPU while the load runs (the client shares the two cores with the server, Kafka, Pg, Redis).
(sleep $((SECONDS_ / 2 + 20)); top -b -c -w 180 -n 1 -d 1 | head -14 >"$RESULTS/ws-top.txt") &
java -Xmx1g -XX:+UseParallelGC -cp "$CP" -Dws.serverPid="$(cat "$RESULTS/server.pid")" -Dws.connections="$CONNS" \
  -Dws.channels="$CHANNELS" -Dws.rate="$RATE" -Dws.seconds="$SECONDS_" io.spillway.bench.WsLoad | tee "$RESULTS/ws.txt"
echo "server errors logged: $(grep -ac '"level":"ERROR"' "$RESULTS/ws-server.log" || true)"
echo "machine: $(machine); $(date -u +%F)"
