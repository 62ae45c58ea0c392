#!/usr/bin/env bash
# Fresh bench data in bulk: drops and recreates the bench databases (Spillway's shards and the baseline's)
# and flushes the bench's Redis db, lets the server create its schema (it runs its migrations at start),
# then loads users, posts and follows with COPY, placed exactly as the server places them (bench/seed.py).
# Every user can log in: seed-<i>@example.com / seed-password (checked at the end with POST /v1/auth/token).
#
#   USERS=100000 ACTIVE_USERS=5000 POSTS_PER_USER=5 FOLLOWS_PER_USER=20 PORT=28080 MGMT_PORT=28081 bench/seed.sh
#
# ACTIVE_USERS (the first ones) get the posts and follows; the others exist (profiles to read) without.
# SEED_GENERATOR (a command taking --shards and --out) makes the files instead of bench/seed.py.
# Leaves bench/results/tmp/seed/user-ids.txt (every user id, shuffled) and active-ids.txt.
source "$(dirname "$0")/lib.sh"
USERS=${USERS:-10000}
ACTIVE_USERS=${ACTIVE_USERS:-$USERS}
POSTS_PER_USER=${POSTS_PER_USER:-5}
FOLLOWS_PER_USER=${FOLLOWS_PER_USER:-20}
ensure_tools psql redis-cli curl
[ -f "$ROOT/target/spillway.jar" ] || build_server

t0=$(date +%s)
for i in $(seq 0 $((BENCH_SHARDS - 1))); do recreate_db "$(shard_db "$i")"; done
recreate_db "$BASE_DB"
flush_redis

# The schema is the server's: start it once on the empty shards (migrations run before it listens).
start_spillway seed-migrate "$PORT" "$MGMT_PORT" SPILLWAY_HTTP_ACCESS_LOG_SAMPLE_RATE=0.0

dir="$SCRATCH/seed"
rm -rf "$dir"; mkdir -p "$dir"
if [ -n "${SEED_GENERATOR:-}" ]; then
  # Another shape of data (e.g. bench/growth_seed.py), written as the same files.
  # shellcheck disable=SC2086 # a command with its arguments
  $SEED_GENERATOR --shards "$BENCH_SHARDS" --out "$dir"
else
  python3 "$BENCH_DIR/seed.py" --users "$USERS" --active "$ACTIVE_USERS" --posts "$POSTS_PER_USER" \
    --follows "$FOLLOWS_PER_USER" --shards "$BENCH_SHARDS" --out "$dir"
fi
load_seed "$dir"
psql "${PG[@]}" -q -v ON_ERROR_STOP=1 -d "$BASE_DB" -f "$BENCH_DIR/baseline/schema.sql"
psql "${PG[@]}" -q -v ON_ERROR_STOP=1 -d "$BASE_DB" <<SQL
\copy users (id, name, bio, post_count, follower_count, following_count, created_at) from '$dir/baseline-users.csv' csv
ANALYZE;
SQL

# The seeded password must work with the server's login.
curl -fs -o /dev/null -X POST "http://127.0.0.1:$PORT/v1/auth/token" -H 'Content-Type: application/json' \
  -d '{"email":"seed-1@example.com","password":"seed-password"}' \
  || { echo "seed: login as seed-1@example.com failed" >&2; exit 1; }
stop_process seed-migrate
echo "seed: loaded in $(( $(date +%s) - t0 )) s; login checked"
