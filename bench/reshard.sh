#!/usr/bin/env bash
# Moving one logical shard between the two databases of a running node while a client writes to it: the
# shard holds USERS users (10000) with POSTS_PER_USER posts each (5), beside 20000 users and 40000 posts of
# other logical shards on the same database (the copy has to find its rows among them). A client posts as
# one of the shard's users through the whole run, one request at a time. Each round moves the shard to the
# other database, then removes the rows from the old one (cleanup); ROUNDS (3) rounds go back and forth.
# Reports per round: the move's duration (from the request to the map flip, by the server's clock), rows
# copied, changes replayed, how long the write fence was held, the cleanup's duration, and what the writer
# got (acknowledged, refused with 503, anything else). Kafka runs in a JVM of its own (the test broker): the
# cut-over waits for the outbox relay to publish the shard's pending events.
# Good: every acknowledged post is on the target after each move, no other answer than 201 or 503, the
# fence under 250 ms (the issue asks for well under a second), the move of 60,000 rows within a minute.
#
#   PORT=32080 MGMT_PORT=32081 KAFKA_PORT=32092 bench/reshard.sh
: "${BENCH_DB_PREFIX:=spillway_bench_reshard}"
source "$(dirname "$0")/lib.sh"
USERS=${USERS:-10000}
POSTS_PER_USER=${POSTS_PER_USER:-5}
KAFKA_PORT=${KAFKA_PORT:-9092}
REDIS_URI=${REDIS_URI:-redis://127.0.0.1:6379/$BENCH_REDIS_DB}
LOGICAL=7   # on database 0 by the seed map (1024 logical shards in two even ranges)
ADMIN_TOKEN="bench-admin-token-$(date +%s%N)-0123456789abcdef"
ensure_tools psql curl python3
port_free "$PORT"; port_free "$MGMT_PORT"; port_free "$KAFKA_PORT"
build_server
build_test_classpath
open_results reshard

for i in 0 1; do recreate_db "$(shard_db "$i")"; done
redis-cli -u "$REDIS_URI" FLUSHDB >/dev/null

java -Xmx512m -cp "$TEST_CP" io.spillway.bench.BenchKafka "$KAFKA_PORT" >"$SCRATCH/reshard-kafka.log" 2>&1 &
BENCH_PIDS[kafka]=$!
for _ in $(seq 1 150); do grep -q "kafka ready" "$SCRATCH/reshard-kafka.log" && break; sleep 0.2; done
grep -q "kafka ready" "$SCRATCH/reshard-kafka.log" || { echo "kafka did not start" >&2; exit 1; }

start_spillway reshard "$PORT" "$MGMT_PORT" SPILLWAY_REDIS_URI="$REDIS_URI" \
  SPILLWAY_KAFKA_BOOTSTRAP_SERVERS="127.0.0.1:$KAFKA_PORT" SPILLWAY_HTTP_ACCESS_LOG_SAMPLE_RATE=0.0 \
  SPILLWAY_LIMITS_ENABLED=false SPILLWAY_MANAGEMENT_ADMIN_TOKEN="$ADMIN_TOKEN"

psql_db() { psql "${PG[@]}" -qAt -d "$1" -c "$2"; }
SRC=$(shard_db 0)
# Ids made here as the server makes them (milliseconds | logical shard | sequence), unique per row.
psql_db "$SRC" "
  WITH base AS (SELECT (floor(extract(epoch FROM now()) * 1000)::bigint - 1735689600000 - 3600000) AS ms)
  INSERT INTO users (id, email, name, password_hash, post_count)
  SELECT ((ms + g / 1024) << 23) | ($LOGICAL << 10) | (g % 1024), 'reshard-' || g || '@example.com', 'user ' || g,
         'not-a-hash', $POSTS_PER_USER
  FROM base, generate_series(0, $USERS - 1) g;
  INSERT INTO email_directory (email, user_id) SELECT email, id FROM users WHERE ((id >> 10) & 8191) = $LOGICAL;
  WITH base AS (SELECT (floor(extract(epoch FROM now()) * 1000)::bigint - 1735689600000 - 1800000) AS ms),
       authors AS (SELECT id, row_number() OVER (ORDER BY id) - 1 AS n FROM users WHERE ((id >> 10) & 8191) = $LOGICAL)
  INSERT INTO posts (id, author_id, text)
  SELECT ((ms + k / 1024) << 23) | ($LOGICAL << 10) | (k % 1024), a.id, 'post ' || k
  FROM base, generate_series(0, $USERS * $POSTS_PER_USER - 1) k JOIN authors a ON a.n = k % $USERS;
  WITH base AS (SELECT (floor(extract(epoch FROM now()) * 1000)::bigint - 1735689600000 - 7200000) AS ms)
  INSERT INTO users (id, email, name, password_hash, post_count)
  SELECT ((ms + g / 511) << 23) | ((g % 511 + CASE WHEN g % 511 >= $LOGICAL THEN 1 ELSE 0 END) << 10) | (g / 511 % 1024),
         'other-' || g || '@example.com', 'other ' || g, 'not-a-hash', 2
  FROM base, generate_series(0, 19999) g;
  INSERT INTO posts (id, author_id, text)
  SELECT (u.id + (p << 30)), u.id, 'other post' FROM users u, generate_series(1, 2) p
  WHERE ((u.id >> 10) & 8191) <> $LOGICAL;
  ANALYZE;"
WRITER_ID=$(psql_db "$SRC" "SELECT min(id) FROM users WHERE ((id >> 10) & 8191) = $LOGICAL")
echo "$WRITER_ID" >"$SCRATCH/reshard-writer.txt"
TOKEN=$(python3 "$BENCH_DIR/tokens.py" "$SCRATCH/reshard-writer.txt" 1)

admin() { curl -s -H "Authorization: Bearer $ADMIN_TOKEN" "$@"; }
status() { admin "http://127.0.0.1:$MGMT_PORT/admin/shards"; }
latest_move() { status | python3 -c "
import json, sys
s = json.load(sys.stdin)
m = next((m for m in s['moves'] if m['logical'] == $LOGICAL), None)
print(json.dumps(m) if m else '')"; }
on_db() { status | python3 -c "import json,sys; print(json.load(sys.stdin)['map'][$LOGICAL])"; }

# One request at a time, as long as $SCRATCH/reshard-stop is absent: "status seconds" per line.
writer() {
  local i=0
  while [ ! -f "$SCRATCH/reshard-stop" ]; do
    curl -s -o /dev/null -w '%{http_code} %{time_total}\n' -X POST "http://127.0.0.1:$PORT/v1/posts" \
      -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' -d "{\"text\":\"during $i\"}" \
      >>"$SCRATCH/reshard-writes.txt" || echo "000 0" >>"$SCRATCH/reshard-writes.txt"
    i=$((i + 1))
  done
}

summary="$SCRATCH/reshard.summary"
{
  echo "# Moving logical shard $LOGICAL: $USERS users, $((USERS * POSTS_PER_USER)) posts (and the writer's posts), one writer"
  echo
  echo "round from to move_s fence_ms rows_copied changes_replayed cleanup_s cleaned_rows writes_201 writes_503 writes_other max_write_s acked_on_target"
} >"$summary"

for round in $(seq 1 "$ROUNDS"); do
  from=$(on_db); to=$((1 - from))
  rm -f "$SCRATCH/reshard-stop"; : >"$SCRATCH/reshard-writes.txt"
  before=$(psql_db "$(shard_db "$from")" "SELECT count(*) FROM posts WHERE author_id = $WRITER_ID")
  writer & wpid=$!
  sleep 2
  code=$(admin -o "$SCRATCH/reshard-move.json" -w '%{http_code}' -X POST -H 'Content-Type: application/json' \
    -d "{\"to\": $to}" "http://127.0.0.1:$MGMT_PORT/admin/shards/$LOGICAL/move")
  [ "$code" = 202 ] || { echo "move refused: $code $(cat "$SCRATCH/reshard-move.json")" >&2; exit 1; }
  for _ in $(seq 1 3000); do
    move=$(latest_move)
    [ "$(echo "$move" | python3 -c 'import json,sys; print(json.load(sys.stdin)["phase"])')" = done ] && break
    sleep 0.1
  done
  sleep 2
  touch "$SCRATCH/reshard-stop"; wait "$wpid"
  echo "### round $round move: $move" >>"$RAW"
  cleanup_start=$(date +%s.%N)
  cleaned=$(admin -X POST "http://127.0.0.1:$MGMT_PORT/admin/shards/$LOGICAL/cleanup")
  cleanup_s=$(python3 -c "print(f'{$(date +%s.%N) - $cleanup_start:.2f}')")
  echo "### round $round cleanup: $cleaned" >>"$RAW"
  acked=$(grep -c '^201 ' "$SCRATCH/reshard-writes.txt" || true)
  on_target=$(psql_db "$(shard_db "$to")" "SELECT count(*) FROM posts WHERE author_id = $WRITER_ID")
  python3 - "$round" "$from" "$to" "$move" "$cleaned" "$cleanup_s" "$SCRATCH/reshard-writes.txt" \
    "$((on_target - before))" "$acked" >>"$summary" <<'PY'
import json, sys
from datetime import datetime
rnd, src, dst, move, cleaned, cleanup_s, writes, on_target, acked = sys.argv[1:]
m, c = json.loads(move), json.loads(cleaned)
t = lambda s: datetime.fromisoformat(s.replace('Z', '+00:00'))
dur = (t(m['finishedAt']) - t(m['createdAt'])).total_seconds()
codes = [l.split() for l in open(writes) if l.strip()]
ok = sum(1 for s, _ in codes if s == '201'); busy = sum(1 for s, _ in codes if s == '503')
worst = max(float(x) for _, x in codes)
print(rnd, src, dst, f"{dur:.2f}", m['fenceMs'], m['rowsCopied'], m['changesReplayed'], cleanup_s, c['rowsRemoved'],
      ok, busy, len(codes) - ok - busy, f"{worst:.3f}", f"{on_target}/{acked}")
PY
  record move "$from-$to" "$round" "$(tail -1 "$summary")"
done
errors=$(server_errors reshard)
stop_all
{
  echo
  python3 - "$summary" <<'PY'
import statistics, sys
rows = [l.split() for l in open(sys.argv[1]) if l[:1].isdigit()]
med = lambda i: statistics.median(float(r[i]) for r in rows)
print(f"median over {len(rows)} rounds: move {med(3):.2f} s, fence {med(4):.0f} ms, cleanup {med(7):.2f} s")
PY
  echo "server errors logged: $errors"
} >>"$summary"
cat "$summary"
finish_results "$summary"
