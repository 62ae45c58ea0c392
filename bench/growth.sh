#!/usr/bin/env bash
# What grows and what must not (docs/feed.md, docs/benchmarks.md "Feed and writes"):
#   feed     GET /v1/feed?limit=20 for readers who follow 10, 100, 1,000 and 5,000 authors (50 posts each):
#            "timelines" (the shipped hybrid fan-out) against "assembled" (feed.timelines=false: every
#            page assembled at read time), two nodes side by side on the same data, wrk -c CONNS, interleaved;
#            plus each one unloaded (wrk -t1 -c1). Objective 500 ms.
#   writes   POST /v1/posts by 1 author against 100 authors (objective 250 ms), and by 100 authors with the
#            NOTIFY-per-statement trigger the outbox had before V7 put back for the run, interleaved.
#   fan-out  one post at a time by authors with 10, 1,000 and FANS followers, every follower with a
#            timeline: the lag from the post's write to its being in every follower's timeline
#            (spillway_feed_fanout_lag_seconds) and the timelines written per second.
#   outbox   POST /v1/posts open-loop at each of RATES/s for SECONDS_ s (100 authors): commit -> Kafka delay
#            (spillway_outbox_delay_seconds, p50/p99 from the histogram's buckets), with no NOTIFY per commit.
# Data in bulk (bench/growth_seed.py, placed by the server's rules), fresh per run; the nodes are the
# production jar with rate limits and shedding off and the access log at 0; Kafka is the test broker in a
# JVM of its own, Redis a redis-server of the bench's own on BENCH_REDIS_PORT (PORT + 5). The second node
# stops after the feed part, so writes, fan-out and outbox run beside one node only. Good: feed p99 at 1,000 and 5,000 follows within 2x of 10 follows; writes with 1 author
# at least 1/1.5 of the rate with 100; outbox p99 under 50 ms at 2,000 writes/s.
#
#   PORT=31080 MGMT_PORT=31081 KAFKA_PORT=31084 bench/growth.sh      (about 8 minutes)
# PARTS (default "feed writes fanout outbox") runs some of the parts only, on the same fresh data.
# Shorter than the other benches' defaults, so the whole run stays under about 10 minutes.
DURATION=${DURATION:-5s} WARMUP=${WARMUP:-3s} ROUNDS=${ROUNDS:-3} CONNS=${CONNS:-32}
BENCH_DB_PREFIX=${BENCH_DB_PREFIX:-spillway_growth} BENCH_REDIS_DB=${BENCH_REDIS_DB:-0}
BENCH_REDIS_PORT=${BENCH_REDIS_PORT:-$((${PORT:-8080} + 5))}
source "$(dirname "$0")/lib.sh"
KAFKA_PORT=${KAFKA_PORT:-9092}
FANS=${FANS:-100000}
RATES=${RATES:-500 1000 2000}
SECONDS_=${SECONDS_:-8}
LEVELS=(10 100 1000 5000)
PARTS=${PARTS:-feed writes fanout outbox}
part() { [[ " $PARTS " == *" $1 "* ]]; }
export BENCH_DB_PREFIX BENCH_REDIS_DB BENCH_REDIS_PORT PORT MGMT_PORT
PORT_OFF=$((PORT + 2)); MGMT_OFF=$((MGMT_PORT + 2))
ensure_tools wrk psql redis-cli curl
for p in "$PORT" "$MGMT_PORT" "$PORT_OFF" "$MGMT_OFF" "$KAFKA_PORT" "$BENCH_REDIS_PORT"; do port_free "$p"; done
build_server
build_test_classpath
open_results growth

java -Xmx512m -cp "$TEST_CP" io.spillway.bench.BenchKafka "$KAFKA_PORT" >"$SCRATCH/growth-kafka.log" 2>&1 &
BENCH_PIDS[kafka]=$!
for _ in $(seq 1 150); do grep -q "kafka ready" "$SCRATCH/growth-kafka.log" && break; sleep 0.2; done
grep -q "kafka ready" "$SCRATCH/growth-kafka.log" || { echo "kafka did not start" >&2; exit 1; }

redis-server --port "$BENCH_REDIS_PORT" --bind 127.0.0.1 --save "" --appendonly no >"$SCRATCH/growth-redis.log" 2>&1 &
BENCH_PIDS[redis]=$!
for _ in $(seq 1 50); do redis-cli -p "$BENCH_REDIS_PORT" ping >/dev/null 2>&1 && break; sleep 0.1; done
R=(redis-cli -h 127.0.0.1 -p "$BENCH_REDIS_PORT" -n "$BENCH_REDIS_DB")

t0=$SECONDS
SEED_GENERATOR="python3 $BENCH_DIR/growth_seed.py --fans $FANS" "$BENCH_DIR/seed.sh"
seed_s=$((SECONDS - t0))
D="$SCRATCH/seed"
# Every fan has a (ready, empty) timeline, as an active reader does: the fan-out writes all of them.
"${R[@]}" --pipe <"$D/fans-timelines.resp" >/dev/null
echo "fan timelines made: $("${R[@]}" DBSIZE) keys in Redis" | tee -a "$RAW"
for l in "${LEVELS[@]}"; do mint_tokens "$D/readers-$l.txt" "$(wc -l <"$D/readers-$l.txt")" "$SCRATCH/growth-readers-$l.tokens"; done
mint_tokens "$D/authors.txt" 1 "$SCRATCH/growth-w1.tokens"
mint_tokens "$D/authors.txt" 100 "$SCRATCH/growth-w100.tokens"

COMMON=(SPILLWAY_HTTP_ACCESS_LOG_SAMPLE_RATE=0.0 SPILLWAY_LIMITS_ENABLED=false SPILLWAY_SHED_ENABLED=false
  SPILLWAY_STREAM_INSTANCES=0)
# The fan-out threshold above FANS, so the largest author is fanned out (and measured).
start_spillway growth-timelines "$PORT" "$MGMT_PORT" "${COMMON[@]}" \
  SPILLWAY_KAFKA_BOOTSTRAP_SERVERS="127.0.0.1:$KAFKA_PORT" SPILLWAY_FEED_FANOUT_MAX_FOLLOWERS=$((FANS * 2))
start_spillway growth-assembled "$PORT_OFF" "$MGMT_OFF" "${COMMON[@]}" SPILLWAY_FEED_TIMELINES=false
ON="http://127.0.0.1:$PORT"; OFF="http://127.0.0.1:$PORT_OFF"

metric() { # NAME: the value of one sample line of the timelines node's /metrics (0 when absent)
  curl -fs "http://127.0.0.1:$MGMT_PORT/metrics" | awk -v n="$1" '$1 == n {v = $2} END {printf "%.6f\n", v + 0}'
}

# Each reader's first page builds its timeline (in the background); wait for all of them.
for l in "${LEVELS[@]}"; do
  while read -r tok; do
    curl -fs -o /dev/null "$ON/v1/feed?limit=20" -H "Authorization: Bearer $tok"
  done <"$SCRATCH/growth-readers-$l.tokens"
done
ready_s=$SECONDS
for l in "${LEVELS[@]}"; do
  while read -r id; do
    for _ in $(seq 1 600); do
      [ -n "$("${R[@]}" ZSCORE "spillway:feed:tl:$id" "0000000000000000000:0")" ] && break
      sleep 0.1
    done
  done <"$D/readers-$l.txt"
done
echo "timelines of $(cat "$D"/readers-*.txt | wc -l) readers built in $((SECONDS - ready_s)) s" | tee -a "$RAW"

# --- the feed --------------------------------------------------------------------------------------------
feed() { # TARGET ROUND: TARGET is <mode>-<follows>
  local target="$1" round="$2" mode="${1%-*}" follows="${1#*-}" url line
  url=$([ "$mode" = timelines ] && echo "$ON" || echo "$OFF")
  local -a req=(REQ_PATH='/v1/feed?limit=20' SLO_MS=500 TOKENS_FILE="$SCRATCH/growth-readers-$follows.tokens")
  if [ "$round" = 0 ]; then
    warm_wrk "$url" "$WARMUP" "${req[@]}"
    line=$(THREADS=1 CONNS=1 run_wrk "feed $target unloaded" "$url" 3s "${req[@]}")
    record unloaded "$target" 1 "$line"
    return
  fi
  line=$(run_wrk "feed $target round $round" "$url" "$DURATION" "${req[@]}")
  record feed "$target" "$round" "$line"
  echo "feed $target round $round: $line"
}
FEED_TARGETS=()
for l in "${LEVELS[@]}"; do FEED_TARGETS+=("timelines-$l" "assembled-$l"); done
if part feed; then
  for t in "${FEED_TARGETS[@]}"; do feed "$t" 0; done
  while read -r round target; do feed "$target" "$round"; done < <(round_order "$ROUNDS" "${FEED_TARGETS[@]}")
fi
reads_timeline=$(metric 'spillway_feed_reads_total{path="timeline"}')
reads_assembled=$(metric 'spillway_feed_reads_total{path="assembled"}')
errors_off=$(server_errors growth-assembled)
stop_process growth-assembled

# --- writes: 1 author against 100 -----------------------------------------------------------------------
POST_BODY='{"text":"benchmark post: the quick brown fox jumps over the lazy dog"}'
# The outbox's wake-up before V7: a NOTIFY per inserting statement (V2__outbox_notify.sql), on every shard.
notify_trigger() { # on|off
  local i sql="DROP TRIGGER IF EXISTS outbox_notify ON outbox"
  [ "$1" = on ] && sql="CREATE OR REPLACE FUNCTION outbox_notify() RETURNS trigger AS \$\$ BEGIN
    PERFORM pg_notify('spillway_outbox', ''); RETURN NULL; END; \$\$ LANGUAGE plpgsql;
    CREATE TRIGGER outbox_notify AFTER INSERT ON outbox FOR EACH STATEMENT EXECUTE FUNCTION outbox_notify()"
  for i in $(seq 0 $((BENCH_SHARDS - 1))); do
    PGOPTIONS="-c client_min_messages=warning" psql "${PG[@]}" -q -d "$(shard_db "$i")" -c "$sql" >/dev/null
  done
}
writes() { # TARGET ROUND
  local target="$1" round="$2" line
  local -a req=(REQ_METHOD=POST REQ_PATH=/v1/posts REQ_BODY="$POST_BODY" SLO_MS=250
    TOKENS_FILE="$SCRATCH/growth-${target%-notify}.tokens")
  [ "$target" = w100-notify ] && notify_trigger on
  if [ "$round" = 0 ]; then
    warm_wrk "$ON" "$WARMUP" "${req[@]}"
  else
    line=$(run_wrk "writes $target round $round" "$ON" "$DURATION" "${req[@]}")
    record writes "$target" "$round" "$line"
    echo "writes $target round $round: $line"
  fi
  [ "$target" = w100-notify ] && notify_trigger off
  return 0
}
if part writes; then
  for t in w1 w100 w100-notify; do writes "$t" 0; done
  while read -r round target; do writes "$target" "$round"; done < <(round_order "$ROUNDS" w1 w100 w100-notify)
fi

# The fan-out of those writes finishes before the next part measures (nothing else is fanned out then).
settle() {
  local last=-1 now
  for _ in $(seq 1 600); do
    now=$(metric spillway_feed_fanout_lag_seconds_count)
    [ "$now" = "$last" ] && [ "$(metric 'spillway_outbox_backlog{shard="0"}')" = 0.000000 ] \
      && [ "$(metric 'spillway_outbox_backlog{shard="1"}')" = 0.000000 ] && return 0
    last=$now; sleep 1
  done
}
settle

# --- fan-out: 10, 1,000 and FANS followers --------------------------------------------------------------
fanout_file="$SCRATCH/growth.fanout"; : >"$fanout_file"
part fanout && while read -r followers author last_fan; do
  tok=$(echo "$author" >"$SCRATCH/growth-fan-author.txt"; mint_tokens "$SCRATCH/growth-fan-author.txt" 1 /dev/stdout)
  for i in 1 2 3; do
    count0=$(metric spillway_feed_fanout_lag_seconds_count); sum0=$(metric spillway_feed_fanout_lag_seconds_sum)
    written0=$(metric spillway_feed_fanout_timelines_total)
    post=$(curl -fs -X POST "$ON/v1/posts" -H "Authorization: Bearer $tok" -H 'Content-Type: application/json' \
      -d "$POST_BODY" | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
    for _ in $(seq 1 1200); do
      [ "$(metric spillway_feed_fanout_lag_seconds_count)" != "$count0" ] && break; sleep 0.05
    done
    lag_ms=$(python3 -c "print(round(($(metric spillway_feed_fanout_lag_seconds_sum) - $sum0) * 1000, 1))")
    written=$(python3 -c "print(int($(metric spillway_feed_fanout_timelines_total) - $written0))")
    member=$(printf '%019d:%s' "$post" "$author")
    last=$("${R[@]}" ZSCORE "spillway:feed:tl:$last_fan" "$member")
    echo "followers=$followers post=$i lag_ms=$lag_ms timelines_written=$written" \
      "in_last_followers_timeline=$([ -n "$last" ] && echo yes || echo no)" | tee -a "$fanout_file"
  done
done <"$D/fanout-authors.txt"

# --- outbox: commit -> Kafka at RATES writes/s -----------------------------------------------------------
outbox_file="$SCRATCH/growth.outbox"; : >"$outbox_file"
part outbox && for rate in $RATES; do
  settle
  curl -fs "http://127.0.0.1:$MGMT_PORT/metrics" >"$SCRATCH/growth-metrics-before.txt"
  open_loop port="$PORT" mix="posts:1:POST:/v1/posts" slo="posts:250" tokens="$SCRATCH/growth-w100.tokens" \
    rate="$rate" seconds="$SECONDS_" warmup=3 label="outbox-$rate" >"$SCRATCH/growth-openloop.out" 2>&1
  curl -fs "http://127.0.0.1:$MGMT_PORT/metrics" >"$SCRATCH/growth-metrics-after.txt"
  { echo "### outbox: OpenLoopLoad rate=$rate seconds=$SECONDS_ POST /v1/posts (100 authors)"
    cat "$SCRATCH/growth-openloop.out"; echo; } >>"$RAW"
  { echo "rate=$rate writes: $(python3 "$BENCH_DIR/stats.py" openloop "$SCRATCH/growth-openloop.out" posts)"
    echo "rate=$rate commit -> Kafka ack (spillway_outbox_delay_seconds, both shards): $(python3 "$BENCH_DIR/stats.py" \
      histogram "$SCRATCH/growth-metrics-before.txt" "$SCRATCH/growth-metrics-after.txt" spillway_outbox_delay_seconds)"
  } | tee -a "$outbox_file"
done
notify_triggers=$(psql "${PG[@]}" -Atq -d "$(shard_db 0)" -c "SELECT count(*) FROM pg_trigger WHERE tgname = 'outbox_notify'")
errors_on=$(server_errors growth-timelines)
stop_all

summary="$SCRATCH/growth.summary"
{
  echo "# Feed and writes as the data grows"
  echo
  echo "Data: 5,000 authors x 50 posts; 20 readers per follow count (10, 100, 1,000, 5,000 follows); authors"
  echo "followed by 10, 1,000 and $FANS fans (every fan with a timeline). Seeded in bulk in ${seed_s} s."
  echo "wrk -t$THREADS -c$CONNS -d$DURATION, $ROUNDS rounds interleaved after a $WARMUP warm-up per target; medians."
  echo "Nodes: rate limits and shedding off, access log 0; \"timelines\" is the shipped feed, \"assembled\" the same"
  echo "build with feed.timelines=false. Good = 2xx within the objective: feed 500 ms, posts 250 ms."
  echo
  echo "parts run: $PARTS"
  echo
  if part feed; then
  echo "## Feed (GET /v1/feed?limit=20), loaded"
  echo
  python3 "$BENCH_DIR/stats.py" summary "$ROUNDS_FILE" feed timelines-5000/timelines-10
  for l in 1000 5000; do python3 "$BENCH_DIR/stats.py" summary "$ROUNDS_FILE" feed "timelines-$l/timelines-10" | grep '^ratio'; done
  for l in "${LEVELS[@]}"; do python3 "$BENCH_DIR/stats.py" summary "$ROUNDS_FILE" feed "assembled-$l/timelines-$l" | grep '^ratio'; done
  echo
  echo "feed pages on the timelines node: $reads_timeline from timelines, $reads_assembled assembled (first reads, past the timeline)"
  echo
  echo "## Feed unloaded (wrk -t1 -c1 -d3s)"
  echo
  python3 "$BENCH_DIR/stats.py" summary "$ROUNDS_FILE" unloaded
  echo
  fi
  if part writes; then
  echo "## Writes (POST /v1/posts): 1 author against 100, and 100 with a NOTIFY per statement (w100-notify)"
  echo
  python3 "$BENCH_DIR/stats.py" summary "$ROUNDS_FILE" writes w1/w100
  python3 "$BENCH_DIR/stats.py" summary "$ROUNDS_FILE" writes w100-notify/w100 | grep '^ratio'
  echo
  fi
  echo "## Fan-out: one post at a time, lag from its write to its being in every follower's timeline"
  echo
  cat "$fanout_file"
  echo
  echo "## Outbox wake-up: POST /v1/posts open-loop at each of $RATES/s for $SECONDS_ s after 3 s, 100 authors"
  echo
  cat "$outbox_file"
  echo "outbox_notify triggers on shard 0: $notify_triggers"
  echo
  echo "server errors logged: timelines node $errors_on, assembled node $errors_off"
} >"$summary"
cat "$summary"
finish_results "$summary"
