#!/usr/bin/env bash
# Other users' reads under a login flood from one address. Each round runs the readers alone ("unloaded"),
# then again while one address floods POST /v1/auth/token with a right password ("flood"); rounds alternate,
# so drift on the machine hits both arms alike. The flood stays within the rate limits that apply to it
# (they admit tens of logins a second from one address); what keeps the readers fast is the password-hashing
# executor: auth.hashing.threads (half the cores), its in-flight caps, and 503 + Retry-After beyond them.
# COMPARE_UNBOUNDED=1 adds a third arm per round on a server whose hashing executor is effectively unbounded
# (64 threads, no caps), to show what the caps buy.
#
# Writes bench/results/login-flood.txt: per-round reader p50/p99, req/s and answers by status, the flood's
# rate and answers by status (from the node's request counters), medians and the loaded/unloaded p99 ratio
# (the goal: at most 2x). Data is reset: two bench databases and Redis db 9.
source "$(dirname "$0")/lib.sh"
USERS=${USERS:-200}
READERS=${READERS:-50}
ROUNDS=${ROUNDS:-3}
DURATION=${DURATION:-30}
READ_CONNS=${READ_CONNS:-8}
DELAY_MS=${DELAY_MS:-40}
FLOOD_CONNS=${FLOOD_CONNS:-64}
COMPARE_UNBOUNDED=${COMPARE_UNBOUNDED:-0}
OUT="$RESULTS/login-flood.txt"

if curl -fs http://127.0.0.1:8080/health/live >/dev/null 2>&1; then
  echo "something already answers on :8080; stop it first" >&2; exit 1
fi
ensure_wrk
build_jar
trap 'stop_server 2>/dev/null || true' EXIT

DBS=(spillway_bench_login_0 spillway_bench_login_1)
BENCH_ENV=(SPILLWAY_HTTP_ACCESS_LOG_SAMPLE_RATE=0.0 SPILLWAY_REDIS_URI=redis://127.0.0.1:6379/9
  "SPILLWAY_DATA_SHARDS=[{\"database\":\"${DBS[0]}\"},{\"database\":\"${DBS[1]}\"}]")
UNBOUNDED_ENV=(SPILLWAY_AUTH_HASHING_THREADS=64 SPILLWAY_AUTH_HASHING_MAX_IN_FLIGHT=100000
  SPILLWAY_AUTH_HASHING_MAX_IN_FLIGHT_PER_CLIENT=100000)

# Fresh data: the bench databases dropped and made again, its Redis database emptied.
for db in "${DBS[@]}"; do
  dropdb -h 127.0.0.1 -U postgres --if-exists "$db"
  createdb -h 127.0.0.1 -U postgres "$db"
done
redis-cli -n 9 FLUSHDB >/dev/null

start_server "$RESULTS/login-flood-server.log" "${BENCH_ENV[@]}" -- --seed "$USERS"
for _ in $(seq 1 600); do
  grep -q "seeded $USERS users" "$RESULTS/login-flood-server.log" && break; sleep 0.5
done

# Readers: seed users 1..READERS, each logged in once from an address of its own.
READERS_FILE="$RESULTS/login-flood-readers.txt"; IDS_FILE="$RESULTS/login-flood-ids.txt"
: >"$READERS_FILE"
for i in $(seq 1 "$READERS"); do
  addr="198.51.100.$((i % 250 + 1))"
  token=$(curl -fs -X POST localhost:8080/v1/auth/token -H 'Content-Type: application/json' -H "X-Forwarded-For: $addr" \
    -d "{\"email\":\"seed-$i@example.com\",\"password\":\"seed-password\"}" | python3 -c 'import sys,json; print(json.load(sys.stdin)["access_token"])')
  echo "$token $addr" >>"$READERS_FILE"
done
for db in "${DBS[@]}"; do psql -qAt -h 127.0.0.1 -U postgres -d "$db" -c "SELECT id FROM users LIMIT 250"; done >"$IDS_FILE"

reads() {  # reads OUTFILE: the readers for DURATION seconds
  READERS_FILE="$READERS_FILE" IDS_FILE="$IDS_FILE" DELAY_MS="$DELAY_MS" wrk -t2 -c"$READ_CONNS" -d"${DURATION}s" \
    --latency -s "$BENCH_DIR/login-reads.lua" http://127.0.0.1:8080 >"$1"
}

flood() {  # flood OUTFILE SECONDS: logins from one address, in the background
  FLOOD_EMAIL=seed-$((READERS + 1))@example.com wrk -t1 -c"$FLOOD_CONNS" -d"${2}s" \
    -s "$BENCH_DIR/login-flood.lua" http://127.0.0.1:8080 >"$1" &
}

scrape() {  # scrape FILE: the node's request counters now
  curl -fs http://127.0.0.1:8081/metrics | grep '^vertx_http_server_requests_total' >"$1" || true
}

codes() {  # codes BEFORE AFTER ROUTE: answers to ROUTE between two scrapes, by status ("200:9120 503:4")
  python3 - "$1" "$2" "$3" <<'PY'
import re, sys
def read(path):
    out = {}
    for line in open(path):
        m = re.match(r'^\S+\{(.*)\}\s+(\S+)$', line.strip())
        if not m:
            continue
        labels = dict(re.findall(r'(\w+)="([^"]*)"', m.group(1)))
        if labels.get("route") == sys.argv[3]:
            out[labels["code"]] = out.get(labels["code"], 0) + float(m.group(2))
    return out
before, after = read(sys.argv[1]), read(sys.argv[2])
print(" ".join(f"{c}:{int(after[c] - before.get(c, 0))}" for c in sorted(after) if after[c] - before.get(c, 0) > 0) or "-")
PY
}

row() {  # row ARM ROUND READS_FILE BEFORE AFTER [FLOOD_FILE]
  local flood_answers="-"
  if [ -n "${6:-}" ]; then
    flood_answers="$(awk '/Requests\/sec/{print $2}' "$6") req/s, $(codes "$4" "$5" /v1/auth/token)"
  fi
  printf "%-10s %5s %10s %10s %10s  %-22s %s\n" "$1" "$2" "$(wrk_p50 "$3")" "$(wrk_p99 "$3")" "$(wrk_rps "$3")" \
    "$(codes "$4" "$5" /v1/users/:id)" "$flood_answers" >>"$OUT"
}

{
  echo "# bench/login-flood.sh: other users' reads under a login flood from one address"
  echo "commit $(git -C "$ROOT" rev-parse --short HEAD), $(date -u +%FT%TZ), $(machine)"
  echo "users $USERS, readers $READERS (${READ_CONNS} connections, ${DELAY_MS} ms between requests each),"
  echo "a flood of $FLOOD_CONNS connections from one address, $DURATION s per run, $ROUNDS rounds"
  echo
  printf "%-10s %5s %10s %10s %10s  %-22s %s\n" arm round p50 p99 "req/s" "reads by status" \
    "flood: req/s, logins by status (200 checked, 503 hasher full, 429 rate-limited)"
} >"$OUT"

B="$RESULTS/login-flood-before.prom"; A="$RESULTS/login-flood-after.prom"
for round in $(seq 1 "$ROUNDS"); do
  scrape "$B"; reads "$RESULTS/login-flood-unloaded-$round.txt"; scrape "$A"
  row unloaded "$round" "$RESULTS/login-flood-unloaded-$round.txt" "$B" "$A"

  flood "$RESULTS/login-flood-attack-$round.txt" $((DURATION + 4)); FLOOD_PID=$!
  sleep 2
  scrape "$B"; reads "$RESULTS/login-flood-loaded-$round.txt"; scrape "$A"
  wait "$FLOOD_PID"
  row flood "$round" "$RESULTS/login-flood-loaded-$round.txt" "$B" "$A" "$RESULTS/login-flood-attack-$round.txt"

  if [ "$COMPARE_UNBOUNDED" = 1 ]; then
    stop_server
    start_server "$RESULTS/login-flood-server-unbounded.log" "${BENCH_ENV[@]}" "${UNBOUNDED_ENV[@]}"
    flood "$RESULTS/login-flood-attack-unbounded-$round.txt" $((DURATION + 4)); FLOOD_PID=$!
    sleep 2
    scrape "$B"; reads "$RESULTS/login-flood-unbounded-$round.txt"; scrape "$A"
    wait "$FLOOD_PID"
    row unbounded "$round" "$RESULTS/login-flood-unbounded-$round.txt" "$B" "$A" "$RESULTS/login-flood-attack-unbounded-$round.txt"
    stop_server
    start_server "$RESULTS/login-flood-server.log" "${BENCH_ENV[@]}"
  fi
done

# Medians per arm and the verdict: the flood's p99 over the unloaded p99 (wrk prints "1.23ms" or "1.05s").
python3 - "$OUT" <<'PY' >>"$OUT"
import re, statistics, sys
rows = [l.split() for l in open(sys.argv[1]) if re.match(r"^(unloaded|flood|unbounded)\s+\d+\s", l)]
def ms(v):
    m = re.match(r"([\d.]+)(us|ms|s)$", v)
    return float(m.group(1)) * {"us": 0.001, "ms": 1, "s": 1000}[m.group(2)] if m else float("nan")
med = {}
for arm in ("unloaded", "flood", "unbounded"):
    p99 = [ms(r[3]) for r in rows if r[0] == arm]
    if p99:
        med[arm] = statistics.median(p99)
        print(f"median p99 {arm}: {med[arm]:.2f} ms")
if "unloaded" in med and "flood" in med:
    ratio = med["flood"] / med["unloaded"]
    print(f"p99 under the flood / unloaded: {ratio:.2f}x ({'within' if ratio <= 2 else 'over'} the 2x goal)")
if "unloaded" in med and "unbounded" in med:
    print(f"p99 with an unbounded hashing pool / unloaded: {med['unbounded'] / med['unloaded']:.2f}x")
PY
cat "$OUT"
