# Shared helpers for the bench scripts: build once, run the server jar, wait for it, stop it.
set -euo pipefail
BENCH_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$BENCH_DIR/.." && pwd)"
RESULTS="$ROOT/bench/results"
mkdir -p "$RESULTS"

ensure_wrk() {
  if ! command -v wrk >/dev/null 2>&1; then
    apt-get update -qq && apt-get install -y -qq wrk >/dev/null
  fi
}

build_jar() {
  (cd "$ROOT" && mvn -B -q -DskipTests package)
}

# start_server LOGFILE [ENV=VALUE...] [-- SERVER ARGS...]: runs the production jar on conf/config.json.
start_server() {
  local log="$1"; shift
  local envs=() args=()
  while [ $# -gt 0 ]; do
    if [ "$1" = "--" ]; then shift; args=("$@"); break; fi
    envs+=("$1"); shift
  done
  cd "$ROOT"
  # SERVER_JVM_OPTS (word-split on purpose) lets a script fix the heap it measures against.
  env "${envs[@]}" java ${SERVER_JVM_OPTS:--Xms512m -Xmx1g -XX:+UseParallelGC} -jar target/spillway.jar \
    -conf conf/config.json "${args[@]}" \
    >"$log" 2>&1 &
  echo $! >"$RESULTS/server.pid"
  local pid; pid=$(cat "$RESULTS/server.pid")
  for _ in $(seq 1 100); do
    kill -0 "$pid" 2>/dev/null || break
    curl -fs "http://127.0.0.1:${SPILLWAY_HTTP_PORT:-8080}/health/live" >/dev/null 2>&1 && return 0
    sleep 0.2
  done
  echo "server did not start; log:" >&2; tail -50 "$log" >&2; return 1
}

stop_server() {
  local pid; pid=$(cat "$RESULTS/server.pid")
  kill -TERM "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || return 0; sleep 0.2; done
  kill -9 "$pid" 2>/dev/null || true
}

machine() {
  echo "$(nproc) cores, $(free -g | awk '/Mem:/{print $2}') GiB RAM, $(java -version 2>&1 | head -1)"
}

# wrk_rps OUTPUT: requests/s from a wrk report.
wrk_rps() { awk '/Requests\/sec/{print $2}' "$1"; }
wrk_p99() { awk '/ 99%/{print $2}' "$1"; }
wrk_p50() { awk '/ 50%/{print $2}' "$1"; }

# user_ids_file: up to 500 existing user ids, one per line (bench/api.sh seeds them); exits when there are none.
user_ids_file() {
  local file="$RESULTS/user-ids.txt"
  for db in spillway_0 spillway_1; do
    psql -qAt -h 127.0.0.1 -U postgres -d "$db" -c "SELECT id FROM users LIMIT 250" 2>/dev/null
  done >"$file"
  if [ ! -s "$file" ]; then echo "no users yet: run bench/api.sh first (it seeds)" >&2; exit 1; fi
  echo "$file"
}
