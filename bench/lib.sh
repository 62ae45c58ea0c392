# Shared by every bench script (sourced, never run). It gives:
#   - knobs from the environment, recorded in every result file with the command;
#   - ensure_tools: installs what is missing from Debian's packages (wrk, gnuplot-nox, ...);
#   - builds: build_server, build_baseline, build_test_classpath;
#   - data: reset_data + seed (bench/seed.sh), mint_tokens;
#   - processes: start_spillway / start_baseline on ports we check are free, all stopped on exit;
#   - measuring: run_wrk (one wrk run, raw output kept, one "bench:" summary line), run_pgbench,
#     round_order (A B B A ... interleaving);
#   - results: open_results / finish_results (bench/results/NAME-DATE-COMMIT.txt, beginning with the commit,
#     the UTC date, the machine and the exact command);
#   - scheduling: from open_results to the script's exit, the CPU is shared among processes, not sessions
#     (per_process_scheduling).
#
# Ports: PORT / MGMT_PORT (Spillway), BASELINE_PORT (the baseline). A script running several Spillway
# processes side by side gives the k-th one PORT+2k and MGMT_PORT+2k.
# Data: PostgreSQL databases ${BENCH_DB_PREFIX}_0.._1 (Spillway's shards), ${BENCH_DB_PREFIX}_base (the
# baseline), ${BENCH_DB_PREFIX}_pgbench; Redis db BENCH_REDIS_DB (15) on BENCH_REDIS_PORT (6379). All dropped
# and recreated per run.
set -euo pipefail

BENCH_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$BENCH_DIR/.." && pwd)"
RESULTS="$BENCH_DIR/results"
SCRATCH=${BENCH_SCRATCH:-$RESULTS/tmp}   # logs, pids, classpaths, tokens, ids, seed files: never committed
mkdir -p "$SCRATCH"

# The knobs a caller may set; those set are written into the result file's command line.
BENCH_KNOBS="PORT MGMT_PORT BASELINE_PORT THREADS CONNS DURATION WARMUP ROUNDS USERS ACTIVE_USERS TOKENS HOT_IDS
  SLO_MS MISS_ENV SERVER_JVM_OPTS LOADS RUN_SECONDS RUN_WARMUP RUNS SKIP_BUILD BENCH_REDIS_DB BENCH_REDIS_PORT BENCH_DB_PREFIX
  PGBENCH_SCALE HALF_PEAK_SECONDS CAPACITY_FROM CONNS_WS CHANNELS RATE SECONDS_ KAFKA_PORT READ_RATE FLOOD_RATE
  BASE_JAR BASE_COMMIT BASE_LEASES TARGETS COMPARE_UNBOUNDED FANS RATES PARTS LIMITS_ENABLED PROFILE_SECONDS BENCH_SCRATCH NODES CONC KILL_S SOCKETS LIMIT LEASE LIMIT_S
  KEEP_AUTOGROUP"
BENCH_COMMAND=""
for _k in $BENCH_KNOBS; do
  if [ -n "${!_k+x}" ]; then BENCH_COMMAND+="$_k=$(printf %q "${!_k}") "; fi
done
BENCH_COMMAND+="bench/$(basename "$0")"
for _a in "$@"; do BENCH_COMMAND+=" $(printf %q "$_a")"; done

PORT=${PORT:-8080}
MGMT_PORT=${MGMT_PORT:-8081}
BASELINE_PORT=${BASELINE_PORT:-8090}
THREADS=${THREADS:-2}
CONNS=${CONNS:-64}
DURATION=${DURATION:-10s}
WARMUP=${WARMUP:-10s}
ROUNDS=${ROUNDS:-3}
BENCH_REDIS_DB=${BENCH_REDIS_DB:-15}
BENCH_REDIS_PORT=${BENCH_REDIS_PORT:-6379}
BENCH_DB_PREFIX=${BENCH_DB_PREFIX:-spillway_bench}
BENCH_SHARDS=2
PG=(-h 127.0.0.1 -p 5432 -U postgres)
SERVER_JVM_OPTS=${SERVER_JVM_OPTS:--Xms512m -Xmx1g -XX:+UseParallelGC}
export BENCH_DIR THREADS

# --- tools -------------------------------------------------------------------------------------------------

# ensure_tools CMD...: installs the Debian package of each missing command.
ensure_tools() {
  local missing=()
  for cmd in "$@"; do
    command -v "$cmd" >/dev/null 2>&1 && continue
    case "$cmd" in
      gnuplot) missing+=(gnuplot-nox) ;;
      pgbench|psql) missing+=(postgresql-client) ;;
      redis-cli) missing+=(redis-tools) ;;
      *) missing+=("$cmd") ;;
    esac
  done
  if [ ${#missing[@]} -gt 0 ]; then
    echo "installing ${missing[*]}" >&2
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
  fi
}

# --- builds ------------------------------------------------------------------------------------------------

build_server() {
  [ "${SKIP_BUILD:-0}" = 1 ] && [ -f "$ROOT/target/spillway.jar" ] && return 0
  (cd "$ROOT" && mvn -B -q -DskipTests package)
}

build_baseline() {
  [ "${SKIP_BUILD:-0}" = 1 ] && [ -f "$BENCH_DIR/baseline/target/baseline.jar" ] && return 0
  (cd "$BENCH_DIR/baseline" && mvn -B -q package)
}

# build_test_classpath: compiles the test sources (the open-loop generator lives there); sets TEST_CP.
build_test_classpath() {
  if [ "${SKIP_BUILD:-0}" != 1 ] || [ ! -s "$SCRATCH/test.cp" ]; then
    (cd "$ROOT" && mvn -B -q test-compile dependency:build-classpath -Dmdep.outputFile="$SCRATCH/test.cp" \
      -Dmdep.includeScope=test)
  fi
  TEST_CP="$ROOT/target/test-classes:$ROOT/target/classes:$(cat "$SCRATCH/test.cp")"
}

# open_loop ARGS...: runs the open-loop generator (src/test/java/io/spillway/bench/OpenLoopLoad.java).
open_loop() {
  # C1 only (-XX:TieredStopAtLevel=1). Measured with client_cpu_us_per_request at 10,000 requests/s against a
  # one-event-loop Vert.x server, 3 runs each: C2 is cheaper once it has compiled (16-18.5 us of CPU a request
  # against C1's 20-21), but it compiles for 7-8 s first, at about twice C1's CPU from the fourth second to the
  # sixth; C1 is steady from the third. overload, login-flood and growth warm up for 3 s, so C2 would still be
  # compiling while they measure, and over a whole 5 + 15 s run C1 costs less (22-23 us a request against 24-27).
  java -Xms256m -Xmx1g -XX:+UseParallelGC -XX:TieredStopAtLevel=1 -cp "$TEST_CP" io.spillway.bench.OpenLoopLoad "$@"
}

# --- data --------------------------------------------------------------------------------------------------

shard_db() { echo "${BENCH_DB_PREFIX}_$1"; }
BASE_DB="${BENCH_DB_PREFIX}_base"
PGBENCH_DB="${BENCH_DB_PREFIX}_pgbench"

shards_json() {
  local out="[" i
  for i in $(seq 0 $((BENCH_SHARDS - 1))); do
    [ "$i" -gt 0 ] && out+=","
    out+="{\"host\":\"127.0.0.1\",\"port\":5432,\"database\":\"$(shard_db "$i")\",\"user\":\"postgres\",\"poolSize\":8}"
  done
  echo "$out]"
}

recreate_db() {
  PGOPTIONS="-c client_min_messages=warning" psql "${PG[@]}" -q -d postgres -c "DROP DATABASE IF EXISTS \"$1\" WITH (FORCE)" -c "CREATE DATABASE \"$1\"" >/dev/null
}

flush_redis() {
  redis-cli -h 127.0.0.1 -p "$BENCH_REDIS_PORT" -n "$BENCH_REDIS_DB" FLUSHDB >/dev/null
}

# seed USERS ACTIVE_USERS [POSTS FOLLOWS]: fresh databases and Redis db, then bench/seed.sh.
# Leaves $SCRATCH/seed/user-ids.txt and active-ids.txt.
seed() {
  USERS="$1" ACTIVE_USERS="$2" POSTS_PER_USER="${3:-5}" FOLLOWS_PER_USER="${4:-20}" "$BENCH_DIR/seed.sh"
}

# load_seed DIR: copies bench/seed.py's files of DIR into the shard databases (schema already there).
load_seed() {
  local dir="$1" i
  for i in $(seq 0 $((BENCH_SHARDS - 1))); do
    psql "${PG[@]}" -q -v ON_ERROR_STOP=1 -d "$(shard_db "$i")" <<SQL
\copy users (id, email, name, password_hash, post_count, follower_count, following_count, created_at, updated_at) from '$dir/shard$i-users.csv' csv
\copy email_directory (email, user_id) from '$dir/shard$i-email_directory.csv' csv
\copy posts (id, author_id, text, created_at) from '$dir/shard$i-posts.csv' csv
\copy following (follower_id, followee_id) from '$dir/shard$i-following.csv' csv
\copy followers (followee_id, follower_id) from '$dir/shard$i-followers.csv' csv
ANALYZE;
SQL
  done
}

# mint_tokens IDS_FILE COUNT OUT: HS256 tokens for the first COUNT ids (bench/tokens.py).
mint_tokens() {
  python3 "$BENCH_DIR/tokens.py" "$1" "$2" >"$3"
}

# pgbench_init: a fresh pgbench database (scale PGBENCH_SCALE, 10 by default).
pgbench_init() {
  recreate_db "$PGBENCH_DB"
  pgbench "${PG[@]}" -q -i -s "${PGBENCH_SCALE:-10}" "$PGBENCH_DB" >/dev/null 2>&1
}

# --- processes ---------------------------------------------------------------------------------------------

declare -A BENCH_PIDS=()

port_free() {
  if (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; then
    echo "port $1 is taken: stop what listens there, or pick other ports (PORT, MGMT_PORT, BASELINE_PORT)" >&2
    return 1
  fi
}

# wait_http URL SECONDS PID: until URL answers 2xx, or the process dies, or time runs out.
wait_http() {
  local url="$1" deadline=$((SECONDS + $2)) pid="$3"
  while [ $SECONDS -lt $deadline ]; do
    kill -0 "$pid" 2>/dev/null || return 1
    curl -fs -o /dev/null --max-time 2 "$url" && return 0
    sleep 0.1
  done
  return 1
}

# spillway_env PORT MGMT_PORT: the env of a Spillway process on the bench databases and Redis db.
spillway_env() {
  echo "SPILLWAY_HTTP_PORT=$1"
  echo "SPILLWAY_MANAGEMENT_PORT=$2"
  echo "SPILLWAY_DATA_SHARDS=$(shards_json)"
  echo "SPILLWAY_REDIS_URI=redis://127.0.0.1:$BENCH_REDIS_PORT/$BENCH_REDIS_DB"
}

# start_spillway NAME PORT MGMT_PORT [ENV=VALUE...]: the production jar (NODE_JAR, default
# target/spillway.jar) on conf/config.json with the bench's databases, ports and ENV overrides; returns when
# /health/ready answers 200. Log: $SCRATCH/NAME.log.
start_spillway() {
  local name="$1" port="$2" mgmt="$3"; shift 3
  port_free "$port"; port_free "$mgmt"
  local envs=()
  mapfile -t envs < <(spillway_env "$port" "$mgmt")
  : >"$SCRATCH/$name.log"
  # shellcheck disable=SC2086 # SERVER_JVM_OPTS is a list of options on purpose
  (cd "$ROOT" && exec env "${envs[@]}" "$@" java $SERVER_JVM_OPTS -jar "${NODE_JAR:-target/spillway.jar}" \
    -conf conf/config.json >>"$SCRATCH/$name.log" 2>&1) &
  BENCH_PIDS[$name]=$!
  echo "${BENCH_PIDS[$name]}" >"$SCRATCH/$name.pid"
  if ! wait_http "http://127.0.0.1:$port/health/ready" 90 "${BENCH_PIDS[$name]}"; then
    echo "$name did not become ready; log:" >&2; tail -30 "$SCRATCH/$name.log" >&2; return 1
  fi
}

# uncache: no entry is left in the bench's Redis db or in a node's near cache (its TTL, NEAR_TTL_MS, runs
# out), so the next reads of any id are misses.
NEAR_TTL_MS=$(python3 -c "import json; print(json.load(open('$ROOT/src/main/resources/defaults.json'))['cache']['near']['ttlMs'])")
uncache() {
  redis-cli -h 127.0.0.1 -p "$BENCH_REDIS_PORT" -n "$BENCH_REDIS_DB" FLUSHDB >/dev/null
  sleep "$(python3 -c "print($NEAR_TTL_MS / 1000 + 1)")"
}

# cold_walk_check LABEL IDS_FILE: fails when the last wrk run ($SCRATCH/wrk.out) sent more requests than 90% of
# IDS_FILE's ids: each wrk thread walks on from its own start, so once one has sent its share (a little more than
# ids/threads if the threads are uneven) it reads ids another thread read, from the near cache or Redis, and a
# "miss" figure would then count hits.
cold_walk_check() {
  local label="$1" ids requests
  ids=$(wc -l <"$2")
  requests=$(awk '/requests in/{print $1; exit}' "$SCRATCH/wrk.out")
  if [ "$requests" -gt $((ids * 9 / 10)) ]; then
    echo "$label: $requests requests over $ids cold ids: ids were read twice, so not every read was a miss;" \
      "raise USERS" >&2
    return 1
  fi
}

# start_baseline NAME PORT: the baseline server on its database and the bench's Redis db.
start_baseline() {
  local name="$1" port="$2"
  port_free "$port"
  : >"$SCRATCH/$name.log"
  # shellcheck disable=SC2086
  (exec env BASELINE_PORT="$port" BASELINE_PG_DATABASE="$BASE_DB" \
    BASELINE_REDIS_URI="redis://127.0.0.1:$BENCH_REDIS_PORT/$BENCH_REDIS_DB" \
    java $SERVER_JVM_OPTS -jar "$BENCH_DIR/baseline/target/baseline.jar" >>"$SCRATCH/$name.log" 2>&1) &
  BENCH_PIDS[$name]=$!
  echo "${BENCH_PIDS[$name]}" >"$SCRATCH/$name.pid"
  if ! wait_http "http://127.0.0.1:$port/hello" 60 "${BENCH_PIDS[$name]}"; then
    echo "$name did not start; log:" >&2; tail -30 "$SCRATCH/$name.log" >&2; return 1
  fi
}

# stop_process NAME: SIGTERM (graceful), SIGKILL after 20 s.
stop_process() {
  local name="$1" pid="${BENCH_PIDS[$1]:-}"
  [ -z "$pid" ] && return 0
  kill -TERM "$pid" 2>/dev/null || true
  for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
  kill -KILL "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  unset "BENCH_PIDS[$name]"
  compact_log "$name"
}

# compact_log NAME: a server log that the access log made large keeps its non-access lines and its tail.
compact_log() {
  local log="$SCRATCH/$1.log"
  [ -f "$log" ] || return 0
  if [ "$(stat -c %s "$log")" -gt 20000000 ]; then
    # head stops reading early: grep's SIGPIPE must not end the script (pipefail, errexit).
    { grep -av '"route":' "$log" | head -n 2000 || true; echo "[...]"; tail -n 50 "$log"; } >"$log.small"
    mv "$log.small" "$log"
  fi
}

stop_all() {
  local name
  for name in "${!BENCH_PIDS[@]}"; do stop_process "$name"; done
  if [ "${AUTOGROUP_RESTORE:-0}" = 1 ]; then echo 1 >"$AUTOGROUP"; AUTOGROUP_RESTORE=0; fi
}

# per_process_scheduling: until the script exits, the kernel shares the CPU among processes rather than among
# sessions (kernel.sched_autogroup_enabled 0, put back on exit; KEEP_AUTOGROUP=1 leaves the machine's setting).
# With session autogroups, a process alone in its session and mostly idle (the machine's Redis, behind
# Spillway's near cache) gets a small share when it wakes while the bench's session (servers, clients) fills
# both cores: Redis's own latency monitor logged commands of 35 and 239 ms inside Redis in the api rounds of
# bench/results/vs-baseline-20261201T1549Z-24bc9ac.txt, and Spillway's answers that waited on it waited as
# long. On machines of their own, as in production, Redis and PostgreSQL do not queue behind the load
# generator. The setting of the run is in the result file's machine line. open_results calls it, so every
# script with a result file measures this way.
AUTOGROUP=/proc/sys/kernel/sched_autogroup_enabled
per_process_scheduling() {
  if [ "${KEEP_AUTOGROUP:-0}" != 1 ] && [ -w "$AUTOGROUP" ] && [ "$(cat "$AUTOGROUP")" = 1 ]; then
    echo 0 >"$AUTOGROUP"
    AUTOGROUP_RESTORE=1
  fi
}
autogroup_state() {
  if [ ! -r "$AUTOGROUP" ]; then echo "no session autogroups"; return; fi
  case "$(cat "$AUTOGROUP")$([ "${AUTOGROUP_RESTORE:-0}" = 1 ] && echo set)" in
    0set) echo "session autogroups off for this run" ;;
    0) echo "session autogroups off" ;;
    *) echo "session autogroups on" ;;
  esac
}
trap stop_all EXIT

# server_errors NAME: error lines in a server's log (the access log is JSON lines with "status").
server_errors() {
  grep -ac '"level":"ERROR"' "$SCRATCH/$1.log" || true
}

# haproxy_states STATS_PORT: "server=STATUS ..." (UP, DOWN, MAINT, ...) of backend "nodes" from HAProxy's stats.
haproxy_states() {
  curl -fs "http://127.0.0.1:$1/stats;csv" | awk -F, '$1 == "nodes" && $2 != "BACKEND" {printf "%s=%s ", $2, $18}'
}

# await_haproxy_up STATS_PORT SERVER: until HAProxy's checks have put SERVER back (60 s at most).
await_haproxy_up() {
  for _ in $(seq 1 300); do
    haproxy_states "$1" | grep -q "\b$2=UP\b" && return 0
    sleep 0.2
  done
  echo "HAProxy never saw $2 up: $(haproxy_states "$1")" >&2; return 1
}

# --- measuring ---------------------------------------------------------------------------------------------

# round_order N A B ...: the targets interleaved, forward in odd rounds and backward in even ones
# (A B, B A, A B, ...), one "ROUND TARGET" line each.
round_order() {
  local n="$1"; shift
  local targets=("$@") r i
  for r in $(seq 1 "$n"); do
    if [ $((r % 2)) -eq 1 ]; then
      for i in "${targets[@]}"; do echo "$r $i"; done
    else
      for ((i = ${#targets[@]} - 1; i >= 0; i--)); do echo "$r ${targets[$i]}"; done
    fi
  done
}

# run_wrk LABEL URL DURATION [ENV=VALUE...]: one wrk run with bench/lua/request.lua (REQ_PATH, TOKENS_FILE,
# IDS_FILE, SLO_MS... given as ENV). Appends the raw output to $RAW, prints the one-line summary.
run_wrk() {
  local label="$1" url="$2" duration="$3"; shift 3
  local out="$SCRATCH/wrk.out"
  env "$@" wrk -t"$THREADS" -c"$CONNS" -d"$duration" --latency -s "$BENCH_DIR/lua/request.lua" "$url" >"$out" 2>&1 || {
    cat "$out" >&2; return 1; }
  { echo "### $label: wrk -t$THREADS -c$CONNS -d$duration --latency -s bench/lua/request.lua $url ($*)"
    cat "$out"; echo; } >>"$RAW"
  grep '^bench:' "$out" | sed 's/^bench: //'
}

# warm_wrk URL DURATION [ENV=VALUE...]: the same, output dropped (JIT, pools, connections, caches).
warm_wrk() {
  local url="$1" duration="$2"; shift 2
  env "$@" wrk -t"$THREADS" -c"$CONNS" -d"$duration" -s "$BENCH_DIR/lua/request.lua" "$url" >/dev/null 2>&1
}

# run_pgbench LABEL SECONDS: pgbench -S -M prepared at the same concurrency as wrk; prints a summary line
# like run_wrk's (latency percentiles from a 10% sample of the per-transaction log).
run_pgbench() {
  local label="$1" secs="$2" out="$SCRATCH/pgbench.out"
  rm -f "$SCRATCH"/pgbench_log.*
  local try
  # PostgreSQL here is shared (max_connections 100): when others hold connections, wait and try again.
  for try in 1 2 3 4; do
    rm -f "$SCRATCH"/pgbench_log.*
    (cd "$SCRATCH" && pgbench "${PG[@]}" -S -M prepared -c "$CONNS" -j "$THREADS" -T "$secs" -n \
      -l --sampling-rate=0.1 --log-prefix=pgbench_log "$PGBENCH_DB") >"$out" 2>&1 && break
    if [ "$try" = 4 ] || ! grep -q "too many clients" "$out"; then cat "$out" >&2; return 1; fi
    echo "pgbench: too many clients on the shared PostgreSQL, retrying in 10 s" >&2
    sleep 10
  done
  { echo "### $label: pgbench -S -M prepared -c $CONNS -j $THREADS -T $secs -n (scale ${PGBENCH_SCALE:-10})"
    cat "$out"; echo; } >>"$RAW"
  python3 "$BENCH_DIR/stats.py" pgbench "$out" "${SLO_MS:-100}" "$SCRATCH"/pgbench_log.*
  rm -f "$SCRATCH"/pgbench_log.*
}

# --- results -----------------------------------------------------------------------------------------------

# hypervisor: the one the kernel found at boot ("hypervisor: PVM"), "hypervisor: none named" if the boot log
# does not say (or cannot be read). Hosts of one size can differ several times over in what a context switch
# costs (bench/host.sh measures it); the name tells results from hosts of different kinds apart.
hypervisor() {
  local name
  name=$( (dmesg 2>/dev/null || true) | sed -n 's/.*Hypervisor detected: //p' | head -1)
  echo "hypervisor: ${name:-none named}"
}

machine() {
  local model; model=$(awk -F': ' '/model name/{print $2; exit}' /proc/cpuinfo)
  echo "$(nproc) cores ($model), $(free -g | awk '/Mem:/{print $2}') GiB RAM, Linux $(uname -r)," \
    "$(java -version 2>&1 | head -1 | tr -d '"')," \
    "$(psql "${PG[@]}" -Atc 'SHOW server_version' postgres 2>/dev/null | sed 's/^/PostgreSQL /;s/ (.*//')," \
    "Redis $(redis-cli -h 127.0.0.1 info server | awk -F: '/redis_version/{print $2}' | tr -d '\r')," \
    "$(wrk -v 2>&1 | head -1 | awk '{print $1, $2}'), $(hypervisor), $(autogroup_state); load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
}

# open_results NAME: sets OUT (the result file, written at the end), HEAD (its header lines), RAW (raw
# outputs, appended under OUT at the end), ROUNDS_FILE (one line per measured run), STAMP and COMMIT. Only
# finish_results writes into bench/results/, so an aborted run leaves nothing there. Scheduling is per process
# from here on (per_process_scheduling), before the machine line records it.
open_results() {
  local name="$1" dirty=""
  per_process_scheduling
  COMMIT=$(git -C "$ROOT" rev-parse HEAD)
  if [ -n "$(git -C "$ROOT" status --porcelain --untracked-files=no -- . ':!bench/results' ':!docs' 2>/dev/null)" ]; then dirty=" (with uncommitted changes)"; fi
  STAMP=$(date -u +%Y%m%dT%H%MZ)
  OUT="$RESULTS/$name-$STAMP-${COMMIT:0:7}.txt"
  RAW="$SCRATCH/$name.raw"
  ROUNDS_FILE="$SCRATCH/$name.rounds"
  HEAD="$SCRATCH/$name.head"
  : >"$RAW"; : >"$ROUNDS_FILE"
  {
    echo "commit: $COMMIT$dirty"
    echo "date: $(date -u '+%Y-%m-%d %H:%M:%S UTC')"
    echo "machine: $(machine)"
    echo "command: $BENCH_COMMAND"
  } >"$HEAD"
}

# record CMP TARGET ROUND SUMMARY: one measured run into ROUNDS_FILE, with the machine's 1-minute load average
# when it ended (this machine is shared: a round measured while others were busy shows it).
record() {
  echo "cmp=$1 target=$2 round=$3 $4 load1=$(cut -d' ' -f1 /proc/loadavg)" >>"$ROUNDS_FILE"
}

# finish_results SUMMARY_FILE: OUT = header, summary, the per-run lines, then every raw output.
finish_results() {
  {
    cat "$HEAD"
    echo "load average at end: $(cut -d' ' -f1-3 /proc/loadavg)"
    echo
    cat "$1"
    echo
    echo "## runs (one line per measured run)"
    cat "$ROUNDS_FILE"
    echo
    echo "## raw outputs"
    cat "$RAW"
  } >"$OUT"
  echo "results: ${OUT#"$ROOT"/}"
}
