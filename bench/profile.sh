#!/usr/bin/env bash
# Where a request's CPU goes: a JFR profile of Spillway's main read path (GET /v1/users/{id} with a JWT, the
# shipped rate-limit policies with their numbers raised so no client is refused, metrics on, access log as
# shipped), method samples every millisecond after a warm-up, summarised as the event loops' top frames
# (self time) and the Spillway and library frames they spend it in (inclusive). Also the server's CPU time per request
# (utime+stime of the process over the profiled run divided by the requests served), which a busy neighbour
# moves far less than throughput.
#
# JAR (default target/spillway.jar, built here) picks the build to profile; JAR_COMMIT names its commit in
# the result file, so a before/after pair is two runs of this script on two jars:
#   git worktree add /tmp/before <commit> && (cd /tmp/before && mvn -B -q -DskipTests package)
#   JAR=/tmp/before/target/spillway.jar JAR_COMMIT=<commit> PORT=28080 MGMT_PORT=28081 bench/profile.sh
#   PORT=28080 MGMT_PORT=28081 bench/profile.sh
source "$(dirname "$0")/lib.sh"
USERS=${USERS:-20000}
TOKENS=${TOKENS:-256}
HOT_IDS=${HOT_IDS:-2000}
PROFILE_SECONDS=${PROFILE_SECONDS:-20}
# LIMITS_ENABLED=false profiles the same path without the limiter, for the limiter's share of the CPU.
LIMITS_ENABLED=${LIMITS_ENABLED:-true}
JAR=${JAR:-}

ensure_tools wrk curl psql redis-cli
if [ -z "$JAR" ]; then build_server; JAR="$ROOT/target/spillway.jar"; JAR_COMMIT=$(git -C "$ROOT" rev-parse HEAD); fi
open_results profile
echo "profiled jar: $JAR (commit ${JAR_COMMIT:-unknown}), limits enabled: $LIMITS_ENABLED" >>"$HEAD"

seed "$USERS" "$USERS"
ids="$SCRATCH/seed/user-ids.txt"
mint_tokens "$ids" "$TOKENS" "$SCRATCH/tokens.txt"
head -n "$HOT_IDS" "$ids" >"$SCRATCH/hot-ids.txt"
LIMITS=$(python3 "$BENCH_DIR/stats.py" raise-limits "$ROOT/src/main/resources/defaults.json" 1000)

# The JVM starts JFR itself, with a recording of no events (idle.jfc): started for the first time by jcmd in
# the middle of the run, the recorder's start-up stalled the server and the profile was of a server at a third
# of its speed (bench/results/profile-20261130T0843Z-68895cd.txt: 10,784 req/s at 131.5 us of CPU per request,
# where bench/cost.sh measures this path at 23,000-35,000 req/s and 31-50 us with no profiler). The profile
# itself records method samples only (cpu.jfc, every millisecond), not profile.jfc's allocation and lock events.
idle_jfc="$SCRATCH/idle.jfc"
jfc="$SCRATCH/cpu.jfc"
printf '<?xml version="1.0" encoding="UTF-8"?>\n<configuration version="2.0" label="idle"/>\n' >"$idle_jfc"
cat >"$jfc" <<'JFC'
<?xml version="1.0" encoding="UTF-8"?>
<configuration version="2.0" label="cpu">
  <event name="jdk.ExecutionSample">
    <setting name="enabled">true</setting>
    <setting name="period">1 ms</setting>
  </event>
</configuration>
JFC

# The jar under test, with the same environment start_spillway gives the bench's own build.
envs=()
mapfile -t envs < <(spillway_env "$PORT" "$MGMT_PORT")
: >"$SCRATCH/profiled.log"
# shellcheck disable=SC2086
(cd "$ROOT" && exec env "${envs[@]}" SPILLWAY_LIMITS_POLICIES="$LIMITS" SPILLWAY_LIMITS_ENABLED="$LIMITS_ENABLED" java $SERVER_JVM_OPTS \
  -XX:StartFlightRecording=settings="$idle_jfc",name=idle -jar "$JAR" \
  -conf conf/config.json >>"$SCRATCH/profiled.log" 2>&1) &
BENCH_PIDS[profiled]=$!
wait_http "http://127.0.0.1:$PORT/health/ready" 90 "${BENCH_PIDS[profiled]}"
pid=${BENCH_PIDS[profiled]}

url="http://127.0.0.1:$PORT"
req=(REQ_PATH=/v1/users/{id} TOKENS_FILE="$SCRATCH/tokens.txt" IDS_FILE="$SCRATCH/hot-ids.txt")
warm_wrk "$url" "${WARMUP}" "${req[@]}"
cpu0=$(awk '{print $14+$15}' "/proc/$pid/stat")
jcmd "$pid" JFR.start name=bench settings="$jfc" filename="$SCRATCH/profile.jfr" >/dev/null
summary=$(run_wrk profile "$url" "${PROFILE_SECONDS}s" "${req[@]}")
jcmd "$pid" JFR.stop name=bench >/dev/null
cpu1=$(awk '{print $14+$15}' "/proc/$pid/stat")
requests=$(awk '/requests in/{print $1; exit}' "$SCRATCH/wrk.out")
record profile spillway 1 "$summary"
stop_process profiled

# Whole stacks (jfr print shows five frames by default), so "inclusive" counts every caller.
jfr print --stack-depth 128 --events jdk.ExecutionSample "$SCRATCH/profile.jfr" >"$SCRATCH/profile-samples.txt"
{
  echo "## summary"
  echo "jar commit: ${JAR_COMMIT:-unknown}"
  echo "wrk: $summary"
  python3 -c "print('server CPU per request: %.1f us (%d requests)' % (($cpu1 - $cpu0) * 10000.0 / $requests, $requests))"
  python3 "$BENCH_DIR/stats.py" jfr-top "$SCRATCH/profile-samples.txt" 40
} >"$SCRATCH/profile.summary"
cat "$SCRATCH/profile.summary"
finish_results "$SCRATCH/profile.summary"
