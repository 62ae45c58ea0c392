#!/usr/bin/env bash
# Other users' reads under a login flood from one address. Readers: GET /v1/users/{id} at a fixed rate
# (READ_RATE, open loop: src/test/java/io/spillway/bench/OpenLoopLoad.java, latency from the scheduled send
# time, objective 100 ms), each of TOKENS users from an address of its own. The flood: POST /v1/auth/token
# with a right password (a full PBKDF2 verification each, never throttled as a failure) from one address,
# open loop at FLOOD_RATE (100/s by default: the shipped per-address rate, so a client "within its rate
# limits"; an attacker's rate does not slow down when the server answers slowly, so neither does this one).
# The node is the production jar on conf/config.json as shipped (rate limits, shedding, password hashing:
# auth.passwordIterations 600,000, auth.hashing.threads half the cores with its in-flight caps) but the
# access log sampled to 0. The limits admit tens of logins a second from one address; what keeps the readers
# fast is the hashing executor.
#
# Arms, interleaved per round (round_order): "unloaded" (readers alone) and "flood"; COMPARE_UNBOUNDED=1
# adds "unbounded": the flood against a second node (PORT+2, MGMT_PORT+2) whose hashing executor has 64
# threads and no caps, to show what the caps buy. Fresh data; RUN_WARMUP + RUN_SECONDS per run; ROUNDS
# rounds; medians. The goal: the readers' p99 under the flood within 2x of the unloaded p99.
#
#   PORT=28080 MGMT_PORT=28081 bench/login-flood.sh
source "$(dirname "$0")/lib.sh"
USERS=${USERS:-2000}
TOKENS=${TOKENS:-500}
READ_RATE=${READ_RATE:-300}
RUN_SECONDS=${RUN_SECONDS:-20}
RUN_WARMUP=${RUN_WARMUP:-3}
FLOOD_RATE=${FLOOD_RATE:-100}
COMPARE_UNBOUNDED=${COMPARE_UNBOUNDED:-0}

ensure_tools psql redis-cli curl
port_free "$PORT"; port_free "$MGMT_PORT"
if [ "$COMPARE_UNBOUNDED" = 1 ]; then port_free "$((PORT + 2))"; port_free "$((MGMT_PORT + 2))"; fi
build_server
build_test_classpath
open_results login-flood

seed "$USERS" 0 0 0
mint_tokens "$SCRATCH/seed/user-ids.txt" "$TOKENS" "$SCRATCH/tokens.txt"
COMMON=(SPILLWAY_HTTP_ACCESS_LOG_SAMPLE_RATE=0.0)
start_spillway bounded "$PORT" "$MGMT_PORT" "${COMMON[@]}"
arms=(unloaded flood)
if [ "$COMPARE_UNBOUNDED" = 1 ]; then
  start_spillway unbounded "$((PORT + 2))" "$((MGMT_PORT + 2))" "${COMMON[@]}" SPILLWAY_AUTH_HASHING_THREADS=64 \
    SPILLWAY_AUTH_HASHING_MAX_IN_FLIGHT=100000 SPILLWAY_AUTH_HASHING_MAX_IN_FLIGHT_PER_CLIENT=100000
  arms+=(unbounded)
fi
port_of() { if [ "$1" = unbounded ]; then echo "$((PORT + 2))"; else echo "$PORT"; fi; }
mgmt_of() { if [ "$1" = unbounded ]; then echo "$((MGMT_PORT + 2))"; else echo "$MGMT_PORT"; fi; }

reads() { # PORT ARGS...: the readers, open loop
  local port="$1"; shift
  open_loop port="$port" mix="normal:1:GET:/v1/users/{id}" slo="normal:100" tokens="$SCRATCH/tokens.txt" \
    ids="$SCRATCH/seed/user-ids.txt" addresses=true rate="$READ_RATE" "$@"
}

# logins MGMT_PORT: the node's answers to POST /v1/auth/token so far, by status ("200=12 429=900 503=40").
logins() {
  curl -fs "http://127.0.0.1:$1/metrics" | python3 -c '
import re, sys
out = {}
for line in sys.stdin:
    m = re.match(r"^vertx_http_server_requests_total\{(.*)\}\s+(\S+)$", line.strip())
    if m:
        labels = dict(re.findall(r"(\w+)=\"([^\"]*)\"", m.group(1)))
        if labels.get("route") == "/v1/auth/token":
            out[labels["code"]] = out.get(labels["code"], 0) + float(m.group(2))
print(" ".join(f"{c}={int(n)}" for c, n in sorted(out.items())))'
}

# since BEFORE AFTER: the difference of two logins() lines ("flood_200=3 flood_503=120 ...").
since() {
  python3 - "$1" "$2" <<'PY'
import sys
def parse(s): return {k: int(v) for k, v in (p.split("=") for p in s.split())}
b, a = parse(sys.argv[1]), parse(sys.argv[2])
print(" ".join(f"flood_{c}={a[c] - b.get(c, 0)}" for c in sorted(a) if a[c] - b.get(c, 0) > 0) or "flood_none=0")
PY
}

measure() { # ARM ROUND (ROUND 0: warm-up)
  local arm="$1" round="$2" port mgmt out="$SCRATCH/login-flood-run.out" flood_pid="" before after flood="flood_none=0"
  port=$(port_of "$arm"); mgmt=$(mgmt_of "$arm")
  if [ "$round" = 0 ]; then
    reads "$port" warmup=10 seconds=1 label=warmup >/dev/null
    return
  fi
  if [ "$arm" != unloaded ]; then
    before=$(logins "$mgmt")
    open_loop port="$port" mix="flood:1:POST:/v1/auth/token" slo="flood:1000" from=203.0.113.66 \
      body='{"email":"seed-1@example.com","password":"seed-password"}' rate="$FLOOD_RATE" warmup=0 \
      seconds="$((RUN_WARMUP + RUN_SECONDS + 3))" label="flood-$arm" >"$SCRATCH/login-flood-attack.out" 2>&1 &
    flood_pid=$!
    sleep 2
  fi
  reads "$port" warmup="$RUN_WARMUP" seconds="$RUN_SECONDS" label="$arm" >"$out"
  if [ -n "$flood_pid" ]; then
    wait "$flood_pid" || true
    after=$(logins "$mgmt")
    flood=$(since "$before" "$after")
    { echo "### round $round, $arm: the flood: OpenLoopLoad port=$port mix=flood:1:POST:/v1/auth/token rate=$FLOOD_RATE"
      cat "$SCRATCH/login-flood-attack.out"; echo "answers: $flood"; echo; } >>"$RAW"
    # The next run starts on an idle node: hashes the flood left queued finish first.
    reads "$port" warmup=0 seconds=1 label=drain drain="/v1/users/$(head -1 "$SCRATCH/seed/user-ids.txt")" >/dev/null
  fi
  { echo "### round $round, $arm: OpenLoopLoad port=$port rate=$READ_RATE warmup=$RUN_WARMUP seconds=$RUN_SECONDS"
    cat "$out"; echo; } >>"$RAW"
  grep '^run .* class=all ' "$out" | sed "s/^run /cmp=login-flood target=$arm round=$round /; s/\$/ $flood load1=$(cut -d' ' -f1 /proc/loadavg)/" >>"$ROUNDS_FILE"
  echo "round $round $arm: $(grep ' class=all ' "$out" | grep -o 'good_pct=[^ ]*\|p50_ms=[^ ]*\|p99_ms=[^ ]*' | tr '\n' ' ')$flood"
}

echo "warm-up"
for arm in "${arms[@]}"; do measure "$arm" 0; done
while read -r round arm; do measure "$arm" "$round"; done < <(round_order "$ROUNDS" "${arms[@]}")
errors=$(server_errors bounded)
stop_all

summary="$SCRATCH/login-flood.summary"
{
  echo "# Other users' reads under a login flood from one address"
  echo
  echo "Readers: GET /v1/users/{id} at $READ_RATE req/s open loop, $TOKENS users each from an address of its own;"
  echo "objective 100 ms. Flood: POST /v1/auth/token with a right password from one address, $FLOOD_RATE req/s open loop."
  echo "Each run: ${RUN_WARMUP} s warm-up + ${RUN_SECONDS} s measured; $ROUNDS rounds, arms interleaved; medians."
  echo
  python3 - "$ROUNDS_FILE" <<'PY'
import re, statistics, sys
runs = {}
for line in open(sys.argv[1]):
    f = dict(re.findall(r"(\w+)=(\S+)", line))
    runs.setdefault(f["target"], []).append(f)
def med(arm, key):
    return statistics.median(float(r.get(key, 0)) for r in runs[arm])
print(f"{'arm':<10} {'p50 ms':>8} {'p99 ms':>8} {'good %':>7}  flood answers (median per run)")
for arm in ("unloaded", "flood", "unbounded"):
    if arm not in runs:
        continue
    codes = sorted({k for r in runs[arm] for k in r if k.startswith("flood_") and k != "flood_none"})
    flood = " ".join(f"{k[6:]}:{med(arm, k):.0f}" for k in codes) or "-"
    print(f"{arm:<10} {med(arm, 'p50_ms'):8.2f} {med(arm, 'p99_ms'):8.2f} {med(arm, 'good_pct'):7.1f}  {flood}")
print()
base = med("unloaded", "p99_ms")
ratio = med("flood", "p99_ms") / base
print(f"readers' p99 under the flood / unloaded: {ratio:.2f}x ({'within' if ratio <= 2 else 'over'} the 2x goal)")
if "unbounded" in runs:
    print(f"readers' p99 with an unbounded hashing executor / unloaded: {med('unbounded', 'p99_ms') / base:.2f}x")
PY
  echo "server errors logged: $errors"
} >"$summary"
cat "$summary"
finish_results "$summary"
