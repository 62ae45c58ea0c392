#!/usr/bin/env bash
# Spillway against the baseline to beat (bench/baseline/: plain Vert.x 5.0.7, one verticle per core, JWT,
# a Redis fixed-window limit, Redis cache-aside over PostgreSQL), side by side in one run:
#
#   api      Spillway GET /v1/users/{id}  (JWT, the shipped rate-limit policies with their numbers raised so
#            no bench client is refused, metrics on, access log as shipped, shedding as shipped)
#            vs baseline GET /api/data/{id} (JWT, INCR+EXPIRE window per subject, Redis GET, Pg on a miss);
#            TOKENS distinct users' tokens (one picked at random per request) over HOT_IDS user ids, each user
#            from an address of its own (X-Forwarded-For, as behind a load balancer: many distinct clients for
#            the per-address limit too, not one key for the whole load).
#   trivial  Spillway GET /health/live as shipped vs baseline GET /hello.
#   miss     Spillway GET /v1/users/{id} over ids no cache holds (each wrk thread walks its own slice of
#            the other USERS-HOT_IDS ids) vs pgbench -S -M prepared at the same concurrency. "api" is the
#            cache's hit path (near cache), "miss" the whole miss path: near cache, Redis GET, PostgreSQL, Redis
#            SET. Before each miss round the Redis db is flushed and the near cache's TTL (NEAR_TTL_MS) let pass,
#            so ids read in an earlier round (or the miss path's warm-up) are misses again; within a round no id
#            repeats while USERS-HOT_IDS is above the round's requests. MISS_ENV (e.g.
#            MISS_ENV="SPILLWAY_CACHE_ENABLED=false") starts a second Spillway with those settings for them.
#   halfpeak p99 at half of peak: open-loop load (src/test/java/io/spillway/bench/OpenLoopLoad.java, fixed
#            arrival rate, latency from the scheduled send time) at half of each server's median "api"
#            rate, and the baseline at Spillway's half-peak rate too (same offered load). "floor" is the
#            baseline's GET /hello at Spillway's half-peak rate, sent by the same generator with the same
#            headers: a route that does no work, so its latency is what this machine and the generator add
#            (the generator shares the server's cores) at that rate, inside every half-peak figure.
#
# Scheduling: the kernel shares the CPU among processes for the run, not among sessions (open_results calls
# per_process_scheduling in lib.sh: with session autogroups the mostly idle Redis went without CPU for hundreds
# of ms at saturation); KEEP_AUTOGROUP=1 keeps the machine's setting. The result file's machine line says which
# it was, and names the hypervisor: read its figures beside bench/host.sh's for the same host.
#
# Good: a 2xx answer within SLO_MS (100 ms). Closed loop: wrk -t$THREADS -c$CONNS, WARMUP per target, then
# ROUNDS rounds of DURATION interleaved A B, B A, A B; the figures are medians over the rounds.
# Data is reset first (fresh databases, flushed Redis db). Output: bench/results/vs-baseline-DATE-COMMIT.txt
# (summary, where Spillway's api answers over 100 ms waited, per-run lines, raw wrk/pgbench/generator
# output), the latency curve data next to it, and
# docs/img/vs-baseline-latency.svg.
#
#   PORT=28080 MGMT_PORT=28081 BASELINE_PORT=28090 bench/vs-baseline.sh
# The JIT needs longer than lib.sh's default warm-up to reach the steady state of either server on 2 busy cores.
: "${WARMUP:=30s}"
source "$(dirname "$0")/lib.sh"
USERS=${USERS:-500000}
ACTIVE_USERS=${ACTIVE_USERS:-5000}
TOKENS=${TOKENS:-256}
HOT_IDS=${HOT_IDS:-2000}
SLO_MS=${SLO_MS:-100}
MISS_ENV=${MISS_ENV:-}
HALF_PEAK_SECONDS=${HALF_PEAK_SECONDS:-10}
export SLO_MS

ensure_tools wrk gnuplot pgbench psql redis-cli curl
port_free "$PORT"; port_free "$MGMT_PORT"; port_free "$BASELINE_PORT"
build_server
build_baseline
build_test_classpath
open_results vs-baseline

# --- data: fresh databases and Redis db, users, tokens, ids -------------------------------------------------
seed "$USERS" "$ACTIVE_USERS"
pgbench_init
ids="$SCRATCH/seed/user-ids.txt"
mint_tokens "$ids" "$TOKENS" "$SCRATCH/tokens.txt"
head -n "$HOT_IDS" "$ids" >"$SCRATCH/hot-ids.txt"
tail -n +"$((HOT_IDS + 1))" "$ids" >"$SCRATCH/cold-ids.txt"
cold_count=$(wc -l <"$SCRATCH/cold-ids.txt")

LIMITS=$(python3 "$BENCH_DIR/stats.py" raise-limits "$ROOT/src/main/resources/defaults.json" 1000)
start_spillway spillway "$PORT" "$MGMT_PORT" SPILLWAY_LIMITS_POLICIES="$LIMITS"
miss_port=$PORT
if [ -n "$MISS_ENV" ]; then
  # shellcheck disable=SC2086 # MISS_ENV is a list of VAR=value words
  start_spillway spillway-miss "$((PORT + 2))" "$((MGMT_PORT + 2))" SPILLWAY_LIMITS_POLICIES="$LIMITS" $MISS_ENV
  miss_port=$((PORT + 2))
fi
start_baseline baseline "$BASELINE_PORT"

S="http://127.0.0.1:$PORT"
B="http://127.0.0.1:$BASELINE_PORT"
API=(TOKENS_FILE="$SCRATCH/tokens.txt" IDS_FILE="$SCRATCH/hot-ids.txt" ADDRESSES=1)
secs=${DURATION%s}

# target_run CMP TARGET ROUND: one measured run of TARGET in comparison CMP.
target_run() {
  local cmp="$1" target="$2" round="$3" line
  case "$cmp/$target" in
    api/spillway)  line=$(run_wrk "$cmp $target round $round" "$S" "$DURATION" REQ_PATH='/v1/users/{id}' "${API[@]}") ;;
    api/baseline)  line=$(run_wrk "$cmp $target round $round" "$B" "$DURATION" REQ_PATH='/api/data/{id}' "${API[@]}") ;;
    trivial/spillway) line=$(run_wrk "$cmp $target round $round" "$S" "$DURATION" REQ_PATH=/health/live) ;;
    trivial/baseline) line=$(run_wrk "$cmp $target round $round" "$B" "$DURATION" REQ_PATH=/hello) ;;
    miss/spillway) uncache
                   line=$(run_wrk "$cmp $target round $round" "http://127.0.0.1:$miss_port" "$DURATION" \
                     REQ_PATH='/v1/users/{id}' TOKENS_FILE="$SCRATCH/tokens.txt" ADDRESSES=1 IDS_FILE="$SCRATCH/cold-ids.txt" \
                     IDS_ORDER=walk IDS_OFFSET=$(( (round - 1) * cold_count / ROUNDS )))
                   cold_walk_check "$cmp $target round $round" "$SCRATCH/cold-ids.txt" ;;
    miss/pgbench)  line=$(run_pgbench "$cmp $target round $round" "$secs") ;;
  esac
  record "$cmp" "$target" "$round" "$line"
  echo "$cmp $target round $round: $line"
}

# --- closed loop: warm-up, then interleaved rounds ----------------------------------------------------------
echo "warm-up"
warm_wrk "$S" "$WARMUP" REQ_PATH='/v1/users/{id}' "${API[@]}"
warm_wrk "$B" "$WARMUP" REQ_PATH='/api/data/{id}' "${API[@]}"
warm_wrk "$S" "$WARMUP" REQ_PATH=/health/live
warm_wrk "$B" "$WARMUP" REQ_PATH=/hello
# The miss path is compiled too before it is measured: a walk over the cold ids (emptied again before each round).
warm_wrk "http://127.0.0.1:$miss_port" "$WARMUP" REQ_PATH='/v1/users/{id}' TOKENS_FILE="$SCRATCH/tokens.txt" \
  ADDRESSES=1 IDS_FILE="$SCRATCH/cold-ids.txt" IDS_ORDER=walk

# Where Spillway's slowest api answers waited: its own histograms (the answer, the data-layer round trip by
# operation, the Redis client's round trip) scraped around the api rounds, and every command that took 10 ms
# or more inside Redis itself (its latency monitor, on for the api rounds only).
scrape() { curl -fsS "http://127.0.0.1:$MGMT_PORT/metrics" >"$1"; }
redis_bench() { redis-cli -h 127.0.0.1 -p "$BENCH_REDIS_PORT" "$@"; }
scrape "$SCRATCH/api-before.prom"
redis_bench CONFIG SET latency-monitor-threshold 10 >/dev/null
redis_bench LATENCY RESET >/dev/null
while read -r round target; do target_run api "$target" "$round"; done < <(round_order "$ROUNDS" spillway baseline)
scrape "$SCRATCH/api-after.prom"
{ for h in vertx_http_server_response_time_seconds spillway_data_request_seconds vertx_redis_processing_time_seconds; do
    python3 "$BENCH_DIR/stats.py" slow "$SCRATCH/api-before.prom" "$SCRATCH/api-after.prom" "$h" 100
  done
  echo "redis LATENCY LATEST (event, unix time, latest ms, max ms) over the api rounds of both servers:"
  redis_bench --no-raw LATENCY LATEST | paste -sd' ' | sed 's/^$/(none)/'
} >"$SCRATCH/api-tail.txt"
redis_bench CONFIG SET latency-monitor-threshold 0 >/dev/null
while read -r round target; do target_run trivial "$target" "$round"; done < <(round_order "$ROUNDS" spillway baseline)

# --- open loop at half of peak ------------------------------------------------------------------------------
s_peak=$(python3 "$BENCH_DIR/stats.py" median "$ROUNDS_FILE" api spillway rps)
b_peak=$(python3 "$BENCH_DIR/stats.py" median "$ROUNDS_FILE" api baseline rps)
s_half=$(python3 -c "print(round($s_peak / 2))")
b_half=$(python3 -c "print(round($b_peak / 2))")
half_run() { # TARGET ROUND
  local target="$1" round="$2" port path rate out="$SCRATCH/openloop.out" pct="$SCRATCH/openloop.pct"
  case "$target" in
    spillway) port=$PORT; path='/v1/users/{id}'; rate=$s_half ;;
    baseline) port=$BASELINE_PORT; path='/api/data/{id}'; rate=$b_half ;;
    baseline-at-spillway-rate) port=$BASELINE_PORT; path='/api/data/{id}'; rate=$s_half ;;
    floor) port=$BASELINE_PORT; path=/hello; rate=$s_half ;;
  esac
  rm -f "$pct"
  open_loop port="$port" mix="normal:1:GET:$path" slo="normal:$SLO_MS" tokens="$SCRATCH/tokens.txt" \
    ids="$SCRATCH/hot-ids.txt" addresses=true rate="$rate" warmup=10 connections=128 seconds="$HALF_PEAK_SECONDS" label="$target" pct="$pct" >"$out"
  { echo "### halfpeak $target round $round: OpenLoopLoad port=$port mix=normal:1:GET:$path slo=normal:$SLO_MS" \
      "rate=$rate warmup=10 connections=128 seconds=$HALF_PEAK_SECONDS (tokens, hot ids, addresses)"; cat "$out"; echo; } >>"$RAW"
  local line curve
  line=$(python3 "$BENCH_DIR/stats.py" openloop "$out" normal)
  curve=$(awk '{printf "%s%s:%s", (NR > 1 ? "," : ""), $3, $4}' "$pct")
  record halfpeak "$target" "$round" "$line pct=$curve"
  echo "halfpeak $target round $round (rate $rate/s): $line"
}
while read -r round target; do half_run "$target" "$round"; done \
  < <(round_order "$ROUNDS" spillway baseline baseline-at-spillway-rate floor)

# --- the miss path against pgbench --------------------------------------------------------------------------
# The baseline goes first: its idle Pg connections would count against the shared PostgreSQL's
# max_connections (100) that pgbench's 64 clients need.
errors_b=$(grep -ac 'Exception' "$SCRATCH/baseline.log" || true)
stop_process baseline
pgbench "${PG[@]}" -S -M prepared -c "$CONNS" -j "$THREADS" -T 5 -n "$PGBENCH_DB" >/dev/null 2>&1 || true  # warm-up
while read -r round target; do target_run miss "$target" "$round"; done < <(round_order "$ROUNDS" spillway pgbench)

# --- summary, chart -----------------------------------------------------------------------------------------
errors_s=$(server_errors spillway)
stop_all
curve_dat="$RESULTS/vs-baseline-$STAMP-${COMMIT:0:7}-latency.dat"
{ sed 's/^/# /' "$HEAD"
  python3 "$BENCH_DIR/stats.py" curve "$ROUNDS_FILE" halfpeak spillway baseline baseline-at-spillway-rate; } >"$curve_dat"
mkdir -p "$ROOT/docs/img"
gnuplot -e "datafile='$curve_dat'; outfile='$ROOT/docs/img/vs-baseline-latency.svg'; \
  t1='Spillway GET /v1/users/{id} at $s_half/s'; t2='baseline GET /api/data/{id} at $b_half/s'; \
  t3='baseline at $s_half/s'; slo=$SLO_MS" "$BENCH_DIR/plot/latency.gp"

summary="$SCRATCH/vs-baseline.summary"
{
  echo "# Spillway vs the baseline"
  echo
  echo "Good = a 2xx answer within $SLO_MS ms. Closed loop: wrk -t$THREADS -c$CONNS -d$DURATION, $ROUNDS rounds" \
    "interleaved (A B, B A, ...) after a $WARMUP warm-up per target; medians over rounds."
  echo "Data: $USERS users (fresh databases and Redis db $BENCH_REDIS_DB), $TOKENS tokens of distinct users," \
    "$HOT_IDS ids read by 'api'; Spillway: production jar, conf/config.json, rate limits as shipped x1000."
  echo
  echo "## api: Spillway GET /v1/users/{id} vs baseline GET /api/data/{id}"
  python3 "$BENCH_DIR/stats.py" summary "$ROUNDS_FILE" api spillway/baseline
  echo
  echo "### api: Spillway's answers, data-layer calls and Redis round trips over 100 ms (its own histograms, the api rounds with the baseline's in between)"
  sed 's/^/    /' "$SCRATCH/api-tail.txt"
  echo
  echo "## trivial: Spillway GET /health/live vs baseline GET /hello"
  python3 "$BENCH_DIR/stats.py" summary "$ROUNDS_FILE" trivial spillway/baseline
  echo
  echo "## miss: Spillway GET /v1/users/{id} over ids not read before vs pgbench -S -M prepared (-c $CONNS -j $THREADS, scale ${PGBENCH_SCALE:-10})"
  python3 "$BENCH_DIR/stats.py" summary "$ROUNDS_FILE" miss spillway/pgbench
  echo
  echo "## halfpeak: open loop at half of each median 'api' rate (Spillway $s_half/s, baseline $b_half/s; rps = 2xx answers/s);" \
    "floor = baseline GET /hello at $s_half/s"
  python3 "$BENCH_DIR/stats.py" summary "$ROUNDS_FILE" halfpeak spillway/baseline
  echo
  echo "latency curve: ${curve_dat#"$ROOT"/} -> docs/img/vs-baseline-latency.svg"
  echo "server errors logged: spillway $errors_s, baseline $errors_b"
} >"$summary"
cat "$summary"
finish_results "$summary"
