#!/usr/bin/env bash
# Why the batched reads of users are `id IN ($1, ..., $n)` padded to a power of two and not `id = ANY($1)`:
# pgbench -M prepared, 8 clients, runs the batched read of 4 random users of a seeded shard database
# (the counted_users view, as data.BatchReads reads it) three ways, interleaved, ROUNDS times:
#   any       id = ANY($1::bigint[])         (one array parameter: PostgreSQL re-plans it on each execution)
#   in        id IN ($1, $2, $3, $4)          (a fixed list: one generic plan per prepared statement)
#   any-gen   id = ANY($1) with plan_cache_mode=force_generic_plan (what re-planning costs)
# and, for scale, the single-row read (id = $1). Each transaction first picks its ids from a numbered
# copy of the users' ids (the same cost in every variant). Output: bench/results/plans-DATE-COMMIT.txt.
#
#   bench/plans.sh
source "$(dirname "$0")/lib.sh"
USERS=${USERS:-20000}
SECONDS_=${SECONDS_:-5}

ensure_tools pgbench psql
open_results plans
seed "$USERS" "$USERS"
db=$(shard_db 0)
psql "${PG[@]}" -q -d "$db" -c "DROP TABLE IF EXISTS bench_ids" \
  -c "CREATE TABLE bench_ids AS SELECT row_number() OVER () AS n, id FROM users" \
  -c "CREATE INDEX ON bench_ids (n)" -c "ANALYZE bench_ids" >/dev/null
count=$(psql "${PG[@]}" -Atq -d "$db" -c "SELECT count(*) FROM bench_ids")
cols="id, email, name, bio, post_count, follower_count, following_count, created_at"
pick="\\set n random(1, $((count - 4)))
SELECT min(id) FILTER (WHERE n = :n) AS a, min(id) FILTER (WHERE n = :n + 1) AS b,
       min(id) FILTER (WHERE n = :n + 2) AS c, min(id) FILTER (WHERE n = :n + 3) AS d,
       array_agg(id)::text AS ids
  FROM bench_ids WHERE n BETWEEN :n AND :n + 3 \\gset"
printf '%s\nSELECT %s FROM counted_users WHERE id = ANY(:ids::bigint[]);\n' "$pick" "$cols" >"$SCRATCH/plans-any.sql"
printf '%s\nSELECT %s FROM counted_users WHERE id IN (:a, :b, :c, :d);\n' "$pick" "$cols" >"$SCRATCH/plans-in.sql"
cp "$SCRATCH/plans-any.sql" "$SCRATCH/plans-any-gen.sql"
printf '%s\nSELECT %s FROM counted_users WHERE id = :a;\n' "$pick" "$cols" >"$SCRATCH/plans-one.sql"

run() { # TARGET ROUND
  local target="$1" round="$2" opts="" out="$SCRATCH/plans.out" tps
  [ "$target" = any-gen ] && opts="-c plan_cache_mode=force_generic_plan"
  PGOPTIONS="$opts" pgbench "${PG[@]}" -n -M prepared -c 8 -j 2 -T "$SECONDS_" -f "$SCRATCH/plans-$target.sql" "$db" \
    >"$out" 2>&1
  { echo "### $target round $round: PGOPTIONS='$opts' pgbench -n -M prepared -c 8 -j 2 -T $SECONDS_ -f plans-$target.sql"
    cat "$SCRATCH/plans-$target.sql"; cat "$out"; echo; } >>"$RAW"
  tps=$(awk '/^tps/{print $3; exit}' "$out")
  record plans "$target" "$round" "tps=$tps"
  echo "$target round $round: $tps queries/s"
}
while read -r round target; do run "$target" "$round"; done < <(round_order "$ROUNDS" any in any-gen one)

summary="$SCRATCH/plans.summary"
{
  echo "# Batched reads of 4 users: how PostgreSQL plans them"
  echo
  echo "pgbench -M prepared -c 8 -j 2 -T $SECONDS_, $ROUNDS rounds interleaved; $count users on $db; medians of queries/s."
  echo
  echo "| statement | queries/s | users/s |"
  echo "| --- | --- | --- |"
  for t in any in any-gen one; do
    m=$(awk -v t="$t" '$2 == "target=" t {split($4, a, "="); print a[2]}' "$ROUNDS_FILE" | sort -n | awk '{v[NR]=$1} END {print v[int((NR+1)/2)]}')
    per=4; [ "$t" = one ] && per=1
    printf '| %s | %.0f | %.0f |\n' "$t" "$m" "$(python3 -c "print($m * $per)")"
  done
} >"$summary"
cat "$summary"
finish_results "$summary"
