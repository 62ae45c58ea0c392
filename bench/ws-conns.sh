#!/usr/bin/env bash
# Open WebSockets held by one node in a 2 GiB heap: CONNS_WS sockets (100000), each subscribed to one channel
# (the same author's), held SECONDS_ (75; longer than the 60 s idle timeout, so they live on answering the
# server's pings). Reports connections held; the server's heap after a full GC (jcmd GC.run, GC.heap_info)
# with 0 sockets, after each client process has opened its share, and with all of them: heap per connection
# = (heap with N - heap with 0) / N; the process RSS per connection (the heap is pre-touched, so this is what
# the sockets cost outside it); that a post published while all are connected reaches every socket (twice:
# right after connecting and after the hold); and the heap once the clients have gone. The largest classes
# on the heap with all sockets open are kept in the raw output.
#
# The server is the production jar (-Xms2g -Xmx2g, ParallelGC, a GC log), Kafka runs in a JVM of its own
# (the test broker). The clients are io.spillway.bench.WsHold processes (test sources) of at most 25,000
# sockets each, one source address each (127.0.0.2, .3, ...): one source address has about 28,000 ephemeral
# ports towards the server's one port.
#
# Every process here needs a file descriptor per socket: the script raises the open-files limit (and
# fs.nr_open) as far as the machine lets it. When the hard limit cannot be raised (no CAP_SYS_RESOURCE),
# the server holds what fits under it, the result says so, and projects the heap at CONNS_WS from the
# measured per-connection cost (the steps show it is linear).
#
#   PORT=38080 MGMT_PORT=38081 KAFKA_PORT=39092 BENCH_REDIS_PORT=36379 bench/ws-conns.sh
source "$(dirname "$0")/lib.sh"
CONNS_WS=${CONNS_WS:-100000}
SECONDS_=${SECONDS_:-75}
KAFKA_PORT=${KAFKA_PORT:-9092}
MAX_PER_CLIENT=25000

want=$((CONNS_WS + 5000))
if [ "$(cat /proc/sys/fs/nr_open)" -lt "$want" ]; then sysctl -qw fs.nr_open="$want" 2>/dev/null || true; fi
ulimit -Hn "$want" 2>/dev/null || true
ulimit -n "$want" 2>/dev/null || ulimit -n "$(ulimit -Hn)"
FDS=$(ulimit -n)

ensure_tools psql redis-cli curl
port_free "$PORT"; port_free "$MGMT_PORT"; port_free "$KAFKA_PORT"
build_server
build_test_classpath
open_results ws-conns
rm -f "$SCRATCH"/ws-conns-client-*.log
seed 2 0 0 0
mint_tokens "$SCRATCH/seed/user-ids.txt" 2 "$SCRATCH/ws-conns.tokens"
AUTHOR_ID=$(sed -n 1p "$SCRATCH/seed/user-ids.txt")
AUTHOR_TOKEN=$(sed -n 1p "$SCRATCH/ws-conns.tokens")
READER_TOKEN=$(sed -n 2p "$SCRATCH/ws-conns.tokens")

java -Xmx512m -cp "$TEST_CP" io.spillway.bench.BenchKafka "$KAFKA_PORT" >"$SCRATCH/ws-conns-kafka.log" 2>&1 &
BENCH_PIDS[kafka]=$!
for _ in $(seq 1 150); do grep -q "kafka ready" "$SCRATCH/ws-conns-kafka.log" && break; sleep 0.2; done
grep -q "kafka ready" "$SCRATCH/ws-conns-kafka.log" || { echo "kafka did not start" >&2; exit 1; }

# All sockets belong to one user and come from a few addresses, as fast as the clients can open them: the
# per-user and per-address caps, shedding (its concurrency limit answers a burst of upgrades with 503) and
# the rate limits (the stream-connects policy limits upgrades per address) are lifted. This bench measures
# what an open socket costs, not connection storms. The access log is off: 100,000 upgrade lines.
# The heap is pre-touched, so the RSS grows only by what the sockets cost outside the heap. Two posts are
# all the database sees: two connections per shard leave the shared PostgreSQL's others to other work.
GC_LOG="$SCRATCH/ws-conns-gc.log"
SERVER_JVM_OPTS="-Xms2g -Xmx2g -XX:+UseParallelGC -XX:+AlwaysPreTouch -Xlog:gc:file=$GC_LOG" \
  start_spillway ws-conns "$PORT" "$MGMT_PORT" \
  SPILLWAY_KAFKA_BOOTSTRAP_SERVERS="127.0.0.1:$KAFKA_PORT" SPILLWAY_HTTP_ACCESS_LOG_SAMPLE_RATE=0.0 \
  SPILLWAY_SHED_ENABLED=false SPILLWAY_LIMITS_ENABLED=false SPILLWAY_STREAM_MAX_CONNECTIONS_PER_USER=1000000 \
  SPILLWAY_STREAM_MAX_CONNECTIONS_PER_ADDRESS=1000000 SPILLWAY_DATA_SHARDS="$(shards_json | sed 's/"poolSize":8/"poolSize":2/g')"
SERVER_PID=${BENCH_PIDS[ws-conns]}

# heap_kib: the server's live heap after a full GC, in KiB: survivors and old generation from jstat right after
# jcmd GC.run (a parallel full collection leaves everything live in the old generation; eden holds only what
# was allocated since, and is left out).
heap_kib() {
  jcmd "$SERVER_PID" GC.run >/dev/null
  jstat -gc "$SERVER_PID" | awk 'NR == 1 { for (i = 1; i <= NF; i++) col[$i] = i }
    NR == 2 { printf "%d\n", $col["S0U"] + $col["S1U"] + $col["OU"] }'
}
# histogram FILE: the server's live objects by class (jcmd GC.class_histogram, which collects first).
histogram() { jcmd "$SERVER_PID" GC.class_histogram >"$1"; }
# per_class BEFORE AFTER N: the classes that grew most between two histograms, in bytes per socket.
per_class() {
  awk -v n="$3" 'FNR == NR && $1 ~ /^[0-9]+:$/ { bytes[$4] = $3; count[$4] = $2; next }
    $1 ~ /^[0-9]+:$/ { d = $3 - bytes[$4]; if (d > 0) printf "%10.1f B %8.2f objects  %s\n", d / n, ($2 - count[$4]) / n, $4 }' \
    "$1" "$2" | sort -rn | awk 'NR <= 25'   # awk reads to the end: head would SIGPIPE sort (pipefail)
}
rss_kib() { awk '/^VmRSS/ {print $2}' "/proc/$SERVER_PID/status"; }
server_gauge() {
  curl -fs "http://127.0.0.1:$MGMT_PORT/metrics" | awk -v m="$1" '$1 == m {printf "%d", $2; found = 1} END {if (!found) print "n/a"}'
}
# client_sum FIELD: FIELD summed over the last status line of every client.
client_sum() {
  local f sum=0 v
  for f in "$SCRATCH"/ws-conns-client-*.log; do
    v=$({ grep '^status ' "$f" || true; } | tail -1 | tr ' ' '\n' | awk -F= -v k="$1" '$1 == k {print $2}')
    sum=$((sum + ${v:-0}))
  done
  echo "$sum"
}
# wait_sum FIELD TARGET SECONDS: until the clients' FIELD reaches TARGET; prints the seconds it took.
wait_sum() {
  local t0=$SECONDS
  while [ "$(client_sum "$1")" -lt "$2" ] && [ $((SECONDS - t0)) -lt "$3" ]; do sleep 0.5; done
  echo $((SECONDS - t0))
}
post() {
  local code
  code=$(curl -s -o /dev/null -w '%{http_code}' -X POST "http://127.0.0.1:$PORT/v1/posts" \
    -H "Authorization: Bearer $AUTHOR_TOKEN" -H 'Content-Type: application/json' -d "{\"text\":\"$1\"}")
  [ "$code" = 201 ] || { echo "post failed: $code" >&2; return 1; }
}

# What fits under the open-files limit: the server's own descriptors now (jars, pools, Kafka) plus headroom.
server_fds=$(find "/proc/$SERVER_PID/fd" -mindepth 1 | wc -l)
target=$CONNS_WS
note=""
if [ $((FDS - server_fds - 300)) -lt "$target" ]; then
  target=$((FDS - server_fds - 300))
  note="open files: the limit is $FDS per process (hard limit $(ulimit -Hn), fs.nr_open $(cat /proc/sys/fs/nr_open)) and could not be raised here, so the server holds $target sockets, not $CONNS_WS"
  echo "$note" >&2
fi
per_client=$(( MAX_PER_CLIENT < FDS - 300 ? MAX_PER_CLIENT : FDS - 300 ))
clients=$(( (target + per_client - 1) / per_client ))
[ "$clients" -lt 4 ] && clients=4   # at least four steps of heap measurements
base_rss=$(rss_kib)
base_heap=$(heap_kib)
histogram "$SCRATCH/ws-conns-histo-0.txt"
steps="  0 sockets: heap $((base_heap / 1024)) MiB"
sockstat_before=$(cat /proc/net/sockstat)

t_open=$SECONDS
for i in $(seq 0 $((clients - 1))); do
  n=$(( target / clients + (i < target % clients ? 1 : 0) ))
  log="$SCRATCH/ws-conns-client-$i.log"
  java -Xmx768m -XX:+UseParallelGC -XX:TieredStopAtLevel=1 -cp "$TEST_CP" -Dws.port="$PORT" \
    -Dws.localAddress="127.0.0.$((i + 2))" -Dws.connections="$n" -Dws.token="$READER_TOKEN" \
    -Dws.channel="posts:$AUTHOR_ID" io.spillway.bench.WsHold >"$log" 2>&1 &
  BENCH_PIDS[client$i]=$!
  for _ in $(seq 1 1200); do grep -q '^status ' "$log" && break; sleep 0.5; done
  wait_sum subscribed "$(client_sum open)" 60 >/dev/null
  steps+=$'\n'"  $(client_sum open) sockets: heap $(( $(heap_kib) / 1024 )) MiB"
done
open_seconds=$((SECONDS - t_open))
held=$(client_sum open)
subscribed=$(client_sum subscribed)
heap=$(heap_kib)
rss=$(rss_kib)
server_sockets=$(server_gauge spillway_ws_connections)
server_subs=$(server_gauge spillway_ws_subscriptions)
histogram "$SCRATCH/ws-conns-histo-n.txt"
sockstat_with=$(cat /proc/net/sockstat)

post "to every socket, right after connecting"
first_secs=$(wait_sum events "$held" 120)
first=$(client_sum events)
sleep "$SECONDS_"
post "to every socket, after the hold"
second_secs=$(wait_sum events $((2 * held)) 120)
second=$(client_sum events)
still=$(client_sum open)
closed=$(client_sum closed)
pings=$(client_sum pings)

for i in $(seq 0 $((clients - 1))); do
  { echo "### client $i (its last status line)"; grep -v '^status ' "$SCRATCH/ws-conns-client-$i.log" || true
    grep '^status ' "$SCRATCH/ws-conns-client-$i.log" | tail -1; } >>"$RAW"
  stop_process "client$i"
done
t_gone=$SECONDS
while [ "$(server_gauge spillway_ws_connections)" != 0 ] && [ $((SECONDS - t_gone)) -lt 120 ]; do sleep 1; done
heap_after=$(heap_kib)
sockets_after=$(server_gauge spillway_ws_connections)
errors=$(server_errors ws-conns)
{ echo; echo "### heap steps"; echo "$steps"
  echo; echo "### what grew per socket, by class (jcmd GC.class_histogram with $held sockets minus with 0)"
  per_class "$SCRATCH/ws-conns-histo-0.txt" "$SCRATCH/ws-conns-histo-n.txt" "$held"
  echo; echo "### jcmd GC.class_histogram with $held sockets (top)"; head -40 "$SCRATCH/ws-conns-histo-n.txt"
  echo; echo "### /proc/net/sockstat before"; echo "$sockstat_before"
  echo; echo "### /proc/net/sockstat with $held sockets (both ends on this machine)"; echo "$sockstat_with"
  echo; echo "### GC log: full collections"; grep -a 'Pause Full' "$GC_LOG" || true; } >>"$RAW"
# The server before Kafka: a consumer whose broker is gone fills the log with warnings.
stop_process ws-conns
stop_all

per_conn() { awk -v a="$1" -v b="$2" -v n="$3" 'BEGIN { printf "%.2f", (b - a) / (n > 0 ? n : 1) }'; }
summary="$SCRATCH/ws-conns.summary"
{
  echo "# Open WebSockets on one node: $CONNS_WS asked, each subscribed to one channel, held $SECONDS_ s; heap -Xms2g -Xmx2g"
  echo
  if [ -n "$note" ]; then echo "$note"; fi
  echo "connections held: $held of $target, $subscribed subscribed, opened in $open_seconds s by $clients client processes (127.0.0.2..127.0.0.$((clients + 1))); the server counts $server_sockets sockets, $server_subs subscriptions"
  echo "server heap after a full GC: $((base_heap / 1024)) MiB with 0 sockets, $((heap / 1024)) MiB with $held: $(per_conn "$base_heap" "$heap" "$held") KiB per connection"
  if [ "$held" -lt "$CONNS_WS" ]; then
    echo "heap projected at $CONNS_WS sockets: $(awk -v a="$base_heap" -v b="$heap" -v n="$held" -v t="$CONNS_WS" \
      'BEGIN { printf "%d", (a + (b - a) / n * t) / 1024 }') MiB of 2048"
  fi
  echo "heap by step (each client process adds its share):"; echo "$steps"
  echo "server RSS: $((base_rss / 1024)) MiB with 0 sockets (heap pre-touched), $((rss / 1024)) MiB with $held: $(per_conn "$base_rss" "$rss" "$held") KiB per connection outside the heap"
  echo "post right after connecting: delivered to $first of $held sockets (all within ${first_secs} s)"
  echo "held $SECONDS_ s (idle timeout 60 s, server pings every 20 s): $still sockets still open, $closed closed, $pings server pings seen"
  echo "post after the hold: $((second - first)) of $still sockets (all within ${second_secs} s)"
  echo "after the clients left: the server counts $sockets_after sockets, heap $((heap_after / 1024)) MiB"
  echo "server errors logged: $errors"
} >"$summary"
cat "$summary"
finish_results "$summary"
