#!/usr/bin/env bash
# What this host charges for the things a server bench does most: waking a process (a context switch) and a
# database round trip per client as the clients grow. Two hosts of the same size (2 cores) can differ here by
# several times, and it moves every comparison that pits a design with a thread or process per connection
# (pgbench's PostgreSQL backends) against one with a few event loops (Spillway, the baseline): read this
# file's figures beside any vs-baseline result from the same host.
#
#   pingpong  bench/pingpong.py: one byte back and forth between two processes over pipes, both on one core
#             (taskset -c 0) and free to use both; microseconds per round trip (two wake-ups).
#   pgbench   run_pgbench (pgbench -S -M prepared, scale PGBENCH_SCALE, 10) for CLIENTS_LIST clients (-j 2
#             from 2 clients), DURATION each; transactions/s. tps(64)/tps(2) near 1 means 64 backends sharing 2 cores cost
#             little more than 2 do; far below 1, each switch between backends is expensive here.
# ROUNDS rounds, client counts interleaved within each; medians over rounds. The hypervisor, when the kernel
# names one, is on the machine line.
#
#   PORT=28080 MGMT_PORT=28081 bench/host.sh
source "$(dirname "$0")/lib.sh"
CLIENTS_LIST=${CLIENTS_LIST:-1 2 8 64}
ensure_tools pgbench psql
open_results host
pgbench_init

for round in $(seq 1 "$ROUNDS"); do
  for pin in one both; do
    if [ "$pin" = one ]; then line=$(taskset -c 0 python3 "$BENCH_DIR/pingpong.py" 50000)
    else line=$(python3 "$BENCH_DIR/pingpong.py" 50000); fi
    echo "pingpong cores=$pin round $round: $line" | tee -a "$RAW"
    record pingpong "$pin" "$round" "$line"
  done
  for c in $CLIENTS_LIST; do
    # run_pgbench at this client count (-j 2 from 2 clients): the same measurement as vs-baseline.sh's.
    line=$(CONNS=$c THREADS=$(( c >= 2 ? 2 : 1 )) run_pgbench "pgbench clients=$c round $round" "${DURATION%s}")
    echo "pgbench clients=$c round $round: $line"
    record pgbench "$c" "$round" "$line"
  done
done

summary="$SCRATCH/host.summary"
python3 "$BENCH_DIR/stats.py" host "$ROUNDS_FILE" >"$summary"
cat "$summary"
finish_results "$summary"
