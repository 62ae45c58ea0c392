#!/usr/bin/env bash
# Startup: process start to the first 200 from GET /health/ready (every dependency answers), RUNS times
# (10), production jar on conf/config.json, local PostgreSQL and Redis, no Kafka, on databases already
# migrated (a first, unmeasured start creates the schema). Polled with curl every 10 ms; the clock is
# date +%s%N around the process start. Reports the median, min and max, and the server's own "started in"
# figure (deploy time inside the JVM). Good: ready within 5 s (a rolling restart's budget per node).
#
#   PORT=28080 MGMT_PORT=28081 bench/startup.sh
source "$(dirname "$0")/lib.sh"
RUNS=${RUNS:-10}
ensure_tools psql redis-cli curl
port_free "$PORT"; port_free "$MGMT_PORT"
build_server
open_results startup
seed 1000 1000
mapfile -t ENVS < <(spillway_env "$PORT" "$MGMT_PORT")

for run in $(seq 1 "$RUNS"); do
  log="$SCRATCH/startup.log"
  t0=$(date +%s%N)
  # shellcheck disable=SC2086
  (cd "$ROOT" && exec env "${ENVS[@]}" java $SERVER_JVM_OPTS -jar target/spillway.jar -conf conf/config.json >"$log" 2>&1) &
  pid=$!
  until curl -fs -o /dev/null --max-time 1 "http://127.0.0.1:$PORT/health/ready"; do
    kill -0 "$pid" 2>/dev/null || { echo "the server exited; log:" >&2; tail -20 "$log" >&2; exit 1; }
    sleep 0.01
  done
  t1=$(date +%s%N)
  ms=$(( (t1 - t0) / 1000000 ))
  started=$(sed -n 's/.*spillway started in \([0-9]*\) ms.*/\1/p' "$log" | head -1)
  kill -TERM "$pid"; wait "$pid" 2>/dev/null || true
  echo "run $run: ready after $ms ms (server log: started in ${started:-?} ms)" | tee -a "$RAW"
  record startup spillway "$run" "ready_ms=$ms started_ms=${started:-nan}"
  sleep 1
done

summary="$SCRATCH/startup.summary"
{
  echo "# Startup: process start to GET /health/ready = 200"
  echo
  echo "$RUNS runs, production jar, conf/config.json (2 shards on the local PostgreSQL, Redis, no Kafka), JVM options: $SERVER_JVM_OPTS."
  echo "Good = ready within 5000 ms."
  echo
  python3 - "$ROUNDS_FILE" <<'PY'
import statistics, sys
rows = [dict(kv.split("=", 1) for kv in l.split()) for l in open(sys.argv[1])]
for key, what in (("ready_ms", "start to ready (curl, 10 ms polling)"), ("started_ms", "server's own 'started in'")):
    v = [float(r[key]) for r in rows if r[key] != "nan"]
    if v:
        print(f"summary {key}: median={statistics.median(v):.0f} min={min(v):.0f} max={max(v):.0f} runs={len(v)} ({what}, ms)")
good = sum(1 for r in rows if float(r["ready_ms"]) <= 5000)
print(f"good: {good} of {len(rows)} runs ready within 5000 ms")
PY
} >"$summary"
cat "$summary"
finish_results "$summary"
