-- The REST calls that fetch what bench/graphql.sh's GraphQL query fetches in one request: the caller's feed
-- page (GET /v1/feed?limit=20), then for each of its posts the newest 3 comments
-- (GET /v1/posts/{id}/comments?limit=3) and the author's profile (GET /v1/users/{authorId}). A feed answer
-- queues its 40 follow-up calls on the thread; a connection that is free sends a queued call first, else
-- starts another feed page. So every feed page costs 41 requests, and pages per second are requests per
-- second / 41 (done() prints both). Environment: TOKENS_FILE (bearer tokens, one per line), SLO_MS.
local tokens = {}
for l in io.lines(os.getenv("TOKENS_FILE")) do
  if l ~= "" then tokens[#tokens + 1] = l end
end

local threads = {}
function setup(thread)
  table.insert(threads, thread)
  thread:set("thread_no", #threads)
end

local queue = {}
local token = nil
pages = 0
function init(args)
  math.randomseed(os.time() * 1000 + (thread_no or 1) * 7919)
end

function request()
  local path = table.remove(queue, 1)
  if path == nil then
    token = tokens[math.random(#tokens)]
    path = "/v1/feed?limit=20"
  end
  return wrk.format("GET", path, { Authorization = "Bearer " .. token })
end

function response(status, headers, body)
  if body and string.find(body, '"items":', 1, true) and string.find(body, '"authorId"', 1, true)
      and not string.find(body, '"postId"', 1, true) then
    pages = pages + 1
    for id, author in string.gmatch(body, '{"id":"(%d+)","authorId":"(%d+)"') do
      table.insert(queue, "/v1/posts/" .. id .. "/comments?limit=3")
      table.insert(queue, "/v1/users/" .. author)
    end
  end
end

function done(summary, latency, requests)
  local total = 0
  for _, t in ipairs(threads) do total = total + (t:get("pages") or 0) end
  local e = summary.errors
  local seconds = summary.duration / 1e6
  io.write(string.format("bench: rps=%.0f pages_per_s=%.1f non2xx=%d socket_errors=%d p50_ms=%.2f p99_ms=%.2f\n",
    summary.requests / seconds, total / seconds, e.status, e.connect + e.read + e.write + e.timeout,
    latency:percentile(50) / 1000, latency:percentile(99) / 1000))
end
