#!/usr/bin/env bash
# One page of the feed with everything a client shows for it, fetched two ways, interleaved:
#   graphql  POST /graphql { feed(first: 20) { items { id text author { id name bio }
#            comments(first: 3) { items { text author { name } } } } } }   (one request per page)
#   rest     GET /v1/feed?limit=20, then 20 x GET /v1/posts/{id}/comments?limit=3 and 20 x GET /v1/users/{id}
#            (41 requests per page; bench/lua/rest-feed-page.lua)
# Both as the same users (TOKENS distinct tokens), on the same node (rate limits and shedding off, access log
# 0), after a WARMUP each; ROUNDS rounds of DURATION, the order reversed every other round. The figure to
# compare is pages per second (and each page's latency: one request for GraphQL, 41 calls for REST, which a
# client would make partly in parallel). Fresh data: USERS users, ACTIVE_USERS with posts and follows; the
# bench seeds no comments, so the comment lists are empty but still read (one batch per shard in GraphQL).
#
#   PORT=28080 MGMT_PORT=28081 bench/graphql.sh
source "$(dirname "$0")/lib.sh"
USERS=${USERS:-20000}
ACTIVE_USERS=${ACTIVE_USERS:-5000}
TOKENS=${TOKENS:-1000}
ensure_tools wrk psql redis-cli curl
port_free "$PORT"; port_free "$MGMT_PORT"
build_server
open_results graphql
seed "$USERS" "$ACTIVE_USERS"
mint_tokens "$SCRATCH/seed/active-ids.txt" "$TOKENS" "$SCRATCH/tokens.txt"
start_spillway graphql "$PORT" "$MGMT_PORT" SPILLWAY_HTTP_ACCESS_LOG_SAMPLE_RATE=0.0 SPILLWAY_LIMITS_ENABLED=false \
  SPILLWAY_SHED_ENABLED=false
S="http://127.0.0.1:$PORT"
QUERY='{"query":"{ feed(first: 20) { items { id text author { id name bio } comments(first: 3) { items { text author { name } } } } } }"}'
check=$(curl -s -X POST "$S/graphql" -H 'Content-Type: application/json' \
  -H "Authorization: Bearer $(head -1 "$SCRATCH/tokens.txt")" -d "$QUERY")
case "$check" in *'"items":[{'*) ;; *) echo "the GraphQL query did not return a feed page: $check" >&2; exit 1 ;; esac

measure() { # TARGET ROUND (ROUND 0: warm-up)
  local target="$1" round="$2" line out="$SCRATCH/wrk.out"
  local dur="$DURATION"; [ "$round" = 0 ] && dur="$WARMUP"
  if [ "$target" = graphql ]; then
    if [ "$round" = 0 ]; then
      warm_wrk "$S" "$WARMUP" TOKENS_FILE="$SCRATCH/tokens.txt" REQ_METHOD=POST REQ_PATH=/graphql REQ_BODY="$QUERY"
      return
    fi
    line=$(run_wrk "graphql round $round" "$S" "$DURATION" TOKENS_FILE="$SCRATCH/tokens.txt" REQ_METHOD=POST \
      REQ_PATH=/graphql REQ_BODY="$QUERY" SLO_MS=500)
  else
    TOKENS_FILE="$SCRATCH/tokens.txt" wrk -t"$THREADS" -c"$CONNS" -d"$dur" --latency \
      -s "$BENCH_DIR/lua/rest-feed-page.lua" "$S" >"$out" 2>&1 || { cat "$out" >&2; return 1; }
    [ "$round" = 0 ] && return
    { echo "### rest round $round: wrk -t$THREADS -c$CONNS -d$DURATION --latency -s bench/lua/rest-feed-page.lua $S"
      cat "$out"; echo; } >>"$RAW"
    line=$(grep '^bench:' "$out" | sed 's/^bench: //')
  fi
  record graphql "$target" "$round" "$line"
  echo "$target round $round: $line"
}
for t in graphql rest; do measure "$t" 0; done
while read -r round target; do measure "$target" "$round"; done < <(round_order "$ROUNDS" graphql rest)
errors=$(server_errors graphql)
stop_all

summary="$SCRATCH/graphql.summary"
{
  echo "# One feed page with its authors and comments: GraphQL (1 request) against REST (41 requests)"
  echo
  echo "wrk -t$THREADS -c$CONNS -d$DURATION ($TOKENS distinct users' tokens); $ROUNDS rounds interleaved after a" \
    "$WARMUP warm-up each. Data: $USERS users, $ACTIVE_USERS with 5 posts and 20 follows, no comments."
  echo "graphql: pages/s = rps. rest: pages/s = feed pages completed per second (rps / 41)."
  echo
  grep 'target=graphql' "$ROUNDS_FILE" | sed 's/^/  /'
  grep 'target=rest' "$ROUNDS_FILE" | sed 's/^/  /'
  echo
  echo "server errors logged: $errors"
} >"$summary"
cat "$summary"
finish_results "$summary"
