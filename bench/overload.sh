#!/usr/bin/env bash
# Overload, open loop: what one node serves well when more arrives than it can serve, with load shedding on
# and off, side by side (two nodes on the same data, one with shed.enabled=false, measured in turn).
#
# Load: src/test/java/io/spillway/bench/OpenLoopLoad.java sends at a fixed arrival rate whatever the node
# does and measures each latency from the request's scheduled send time (queueing counts). The mixture, of
# every 10 requests: 2 critical POST /v1/posts, 5 normal GET /v1/users/{id}, 3 sheddable GET /v1/feed,
# each with the token of one of TOKENS distinct users (who follow 20 others and have posts).
#
# Good (goodput): a 2xx answer within the route class's objective: critical 250 ms, normal 100 ms,
# sheddable 500 ms. Shed answers (429/503), errors, timeouts (10 s) and late answers are not goodput.
#
# Steps: fresh data; both nodes warmed up; the capacity: the highest rate whose goodput is >= 95% of the
# offered rate with every class's p99 within its objective, found open loop on the node with shedding off;
# then LOADS (1 1.5 2 3) x capacity, shedding on and off interleaved (on off, off on, ...), RUNS rounds of
# RUN_WARMUP + RUN_SECONDS each (one continuous stream, the warm-up part not counted); after each run the
# generator waits until the node answers quickly again. Medians over rounds. Everything else as shipped
# (rate limits, access log, metrics). Output: bench/results/overload-DATE-COMMIT.txt, the chart data next
# to it, docs/img/overload-goodput.svg and docs/img/overload-p99.svg.
#
#   PORT=28080 MGMT_PORT=28081 bench/overload.sh      (the node with shedding off uses PORT+2, MGMT_PORT+2)
source "$(dirname "$0")/lib.sh"
USERS=${USERS:-20000}
ACTIVE_USERS=${ACTIVE_USERS:-5000}
TOKENS=${TOKENS:-1000}
LOADS=${LOADS:-1 1.5 2 3}
RUNS=${RUNS:-3}
RUN_SECONDS=${RUN_SECONDS:-12}
RUN_WARMUP=${RUN_WARMUP:-3}
CAPACITY_FROM=${CAPACITY_FROM:-1000}
MIX="critical:2:POST:/v1/posts,normal:5:GET:/v1/users/{id},sheddable:3:GET:/v1/feed?limit=20"
SLO="critical:250,normal:100,sheddable:500"

ensure_tools gnuplot psql redis-cli curl
port_free "$PORT"; port_free "$MGMT_PORT"; port_free "$((PORT + 2))"; port_free "$((MGMT_PORT + 2))"
build_server
build_test_classpath
open_results overload

seed "$USERS" "$ACTIVE_USERS"
mint_tokens "$SCRATCH/seed/active-ids.txt" "$TOKENS" "$SCRATCH/tokens.txt"
cp "$SCRATCH/seed/active-ids.txt" "$SCRATCH/overload-ids.txt"
probe_id=$(head -1 "$SCRATCH/overload-ids.txt")

start_spillway shed-on "$PORT" "$MGMT_PORT" SPILLWAY_SHED_ENABLED=true
start_spillway shed-off "$((PORT + 2))" "$((MGMT_PORT + 2))" SPILLWAY_SHED_ENABLED=false
port_of() { if [ "$1" = on ]; then echo "$PORT"; else echo "$((PORT + 2))"; fi; }

load() { # PORT ARGS...: the open-loop generator with this bench's mixture, users and objectives
  local port="$1"; shift
  # addresses=true: each user from an address of its own, so the shipped per-address limit (decided before
  # authentication) counts users, not this one machine.
  open_loop port="$port" mix="$MIX" slo="$SLO" tokens="$SCRATCH/tokens.txt" ids="$SCRATCH/overload-ids.txt" addresses=true \
    drain="/v1/users/$probe_id" "$@"
}

echo "warm-up"
for mode in on off; do load "$(port_of $mode)" rate="$CAPACITY_FROM" warmup=15 seconds=1 label=warmup >/dev/null; done

echo "capacity (open loop, shedding off)"
load "$(port_of off)" capacity=true from="$CAPACITY_FROM" step=1.3 warmup=3 seconds=8 refine=2 target=0.95 \
  label=capacity | tee "$SCRATCH/capacity.out"
{ echo "### capacity: OpenLoopLoad port=$(port_of off) mix=$MIX slo=$SLO capacity=true from=$CAPACITY_FROM step=1.3" \
    "warmup=3 seconds=8 refine=2 target=0.95"; cat "$SCRATCH/capacity.out"; echo; } >>"$RAW"
capacity=$(sed -n 's/^capacity rps=\([0-9]*\).*/\1/p' "$SCRATCH/capacity.out")
[ -n "$capacity" ] && [ "$capacity" -gt 0 ] || { echo "no capacity found" >&2; exit 1; }

pair=0
for round in $(seq 1 "$RUNS"); do
  for factor in $LOADS; do
    pair=$((pair + 1))
    if [ $((pair % 2)) -eq 1 ]; then modes="on off"; else modes="off on"; fi
    for mode in $modes; do
      rate=$(python3 -c "print(round($capacity * $factor))")
      out="$SCRATCH/overload-run.out"
      load "$(port_of "$mode")" rate="$rate" warmup="$RUN_WARMUP" seconds="$RUN_SECONDS" \
        label="shed-$mode-x$factor" >"$out"
      { echo "### round $round, x$factor, shedding $mode: OpenLoopLoad port=$(port_of "$mode") rate=$rate" \
          "warmup=$RUN_WARMUP seconds=$RUN_SECONDS"; cat "$out"; echo; } >>"$RAW"
      lag=$(sed -n 's/^sendlag [^ ]* [^ ]* //p' "$out")
      grep '^run ' "$out" | sed "s/^run /cmp=overload target=$mode load=$factor round=$round /; s/\$/ $lag load1=$(cut -d' ' -f1 /proc/loadavg)/" >>"$ROUNDS_FILE"
      echo "round $round x$factor shedding $mode ($rate/s): $(grep ' class=all ' "$out" | grep -o 'good_rps=[^ ]*\|p99_ms=[^ ]*' | tr '\n' ' ')"
    done
  done
done

errors_on=$(server_errors shed-on); errors_off=$(server_errors shed-off)
stop_all
dat="$RESULTS/overload-$STAMP-${COMMIT:0:7}.dat"
summary="$SCRATCH/overload.summary"
{ sed 's/^/# /' "$HEAD"; python3 "$BENCH_DIR/stats.py" overload-dat "$ROUNDS_FILE" "$capacity"; } >"$dat"
mkdir -p "$ROOT/docs/img"
gnuplot -e "datafile='$dat'; outdir='$ROOT/docs/img'; capacity=$capacity" "$BENCH_DIR/plot/overload.gp"
{
  echo "# Overload, open loop, shedding on and off"
  echo
  echo "Mixture of every 10 requests: 2 critical POST /v1/posts, 5 normal GET /v1/users/{id}, 3 sheddable GET /v1/feed;"
  echo "$TOKENS distinct users. Good = 2xx within the class objective: critical 250 ms, normal 100 ms, sheddable 500 ms."
  echo "Capacity (open loop, shedding off; goodput >= 95% of offered, every class p99 within objective): $capacity req/s."
  echo "Each run: ${RUN_WARMUP} s warm-up + ${RUN_SECONDS} s measured at a fixed rate; $RUNS rounds, shedding on/off interleaved; medians."
  echo "Latency percentiles are of the 2xx answers, from the scheduled send time."
  echo
  python3 "$BENCH_DIR/stats.py" overload "$ROUNDS_FILE"
  echo
  echo "chart data: ${dat#"$ROOT"/} -> docs/img/overload-goodput.svg, docs/img/overload-p99.svg"
  echo "server errors logged: shedding on $errors_on, shedding off $errors_off"
} >"$summary"
cat "$summary"
finish_results "$summary"
