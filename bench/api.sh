#!/usr/bin/env bash
# The REST API under wrk: GET /v1/users/{id}, GET /v1/feed and POST /v1/posts (JWT in the header), and
# pgbench -S on the same machine as the raw database limit to compare GET /v1/users/{id} with.
source "$(dirname "$0")/lib.sh"
ensure_wrk
build_jar
DURATION=${DURATION:-15s}
CONNS=${CONNS:-64}
SEED=${SEED:-1000}

# The data path alone: limits and shedding are measured by bench/limits.sh and bench/overload.sh.
start_server "$RESULTS/api-server.log" SPILLWAY_HTTP_ACCESS_LOG_SAMPLE_RATE=0.0 SPILLWAY_LIMITS_ENABLED=false \
  SPILLWAY_SHED_ENABLED=false -- --seed "$SEED"
for _ in $(seq 1 600); do grep -q '"seeded ' "$RESULTS/api-server.log" && break; sleep 0.5; done
grep -q '"seeded ' "$RESULTS/api-server.log" || { echo "seeding did not finish" >&2; stop_server; exit 1; }

for db in spillway_0 spillway_1; do
  psql -qAt -h 127.0.0.1 -U postgres -d "$db" -c "SELECT id FROM users WHERE email LIKE 'seed-%'"
done | shuf -n 500 --random-source=<(yes) >"$RESULTS/user-ids.txt"
TOKEN=$(curl -fs -X POST http://127.0.0.1:8080/v1/auth/token -H 'Content-Type: application/json' \
  -d '{"email":"seed-1@example.com","password":"seed-password"}' | python3 -c 'import sys,json; print(json.load(sys.stdin)["access_token"])')
export TOKEN IDS_FILE="$RESULTS/user-ids.txt"

run() { # name script
  wrk -t2 -c"$CONNS" -d5s -s "$BENCH_DIR/$2" http://127.0.0.1:8080 >/dev/null
  wrk -t2 -c"$CONNS" -d"$DURATION" --latency -s "$BENCH_DIR/$2" http://127.0.0.1:8080 | tee "$RESULTS/$1.txt"
}
run users users.lua
run feed feed.lua
run post post.lua
stop_server

createdb -h 127.0.0.1 -U postgres pgbench_spillway 2>/dev/null || true
pgbench -q -i -s 10 -h 127.0.0.1 -U postgres pgbench_spillway >/dev/null 2>&1
pgbench -S -M prepared -c "$CONNS" -j 2 -T "${DURATION%s}" -h 127.0.0.1 -U postgres pgbench_spillway | tee "$RESULTS/pgbench.txt"
PGBENCH_TPS=$(awk '/^tps/{print $3; exit}' "$RESULTS/pgbench.txt")

echo
echo "| $(date -u +%F) | GET /v1/users/{id} | $(wrk_rps "$RESULTS/users.txt") req/s | p50 $(wrk_p50 "$RESULTS/users.txt") | p99 $(wrk_p99 "$RESULTS/users.txt") |"
echo "| $(date -u +%F) | GET /v1/feed | $(wrk_rps "$RESULTS/feed.txt") req/s | p50 $(wrk_p50 "$RESULTS/feed.txt") | p99 $(wrk_p99 "$RESULTS/feed.txt") |"
echo "| $(date -u +%F) | POST /v1/posts | $(wrk_rps "$RESULTS/post.txt") req/s | p50 $(wrk_p50 "$RESULTS/post.txt") | p99 $(wrk_p99 "$RESULTS/post.txt") |"
echo "| $(date -u +%F) | pgbench -S | $PGBENCH_TPS tps |"
python3 -c "print('users/pgbench ratio: %.2f' % ($(wrk_rps "$RESULTS/users.txt") / $PGBENCH_TPS))"
