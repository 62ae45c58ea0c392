-- One request shape for every wrk run of the benches, set from the environment:
--   REQ_PATH      path; "{id}" is replaced by an id from IDS_FILE (e.g. /v1/users/{id})
--   REQ_METHOD    GET (default) or POST; REQ_BODY the JSON body of a POST
--   TOKENS_FILE   bearer tokens, one per line: each request takes one at random (many distinct clients);
--                 unset: anonymous
--   ADDRESSES=1   each token's requests come from an address of its own (X-Forwarded-For: 10.x.y.z, which
--                 the server believes from 127.0.0.1), as users behind a load balancer do, instead of one
--                 address for the whole load: per-address limits then see many clients, not one key
--   IDS_FILE      ids, one per line; IDS_ORDER=random (default) or walk (each thread walks its own slice
--                 of the list from IDS_OFFSET, so ids repeat only after the whole list: the cache-miss path)
--   SLO_MS        the latency objective: done() counts answers within it (goodput)
-- done() prints one "bench:" line (requests/s, non-2xx, socket errors, percentiles, goodput) and, with
-- PCT_CURVE=1, the latency percentile curve.
local method = os.getenv("REQ_METHOD") or "GET"
local template = os.getenv("REQ_PATH") or "/"
local body = os.getenv("REQ_BODY")
local walk = os.getenv("IDS_ORDER") == "walk"
local offset = tonumber(os.getenv("IDS_OFFSET") or "0")
local nthreads = tonumber(os.getenv("THREADS") or "2")

local function lines(file)
  local t = {}
  for l in io.lines(file) do
    if l ~= "" then t[#t + 1] = l end
  end
  return t
end

local tokens = {}
if os.getenv("TOKENS_FILE") then tokens = lines(os.getenv("TOKENS_FILE")) end
local addresses = {}
if os.getenv("ADDRESSES") == "1" then
  for t = 1, #tokens do
    addresses[t] = string.format("10.%d.%d.%d", math.floor(t / 65536) % 256, math.floor(t / 256) % 256, t % 256)
  end
end
local prefix, suffix = template:match("^(.-){id}(.*)$")
local ids = {}
if prefix then ids = lines(os.getenv("IDS_FILE")) end

local threads = 0
function setup(thread)
  threads = threads + 1
  thread:set("thread_no", threads)
end

-- Every request is one of a few fixed strings around its path: built once per token by wrk.format in init()
-- and joined with the path per request. wrk.format per request (string.format calls and a walk over the
-- header table) spent CPU of the cores the generator shares with the server under test.
local heads, tails = {}, {}
local function frame(t)
  local headers = {}
  if body then headers["Content-Type"] = "application/json" end
  if t then
    headers["Authorization"] = "Bearer " .. tokens[t]
    if addresses[t] then headers["X-Forwarded-For"] = addresses[t] end
  end
  local whole = wrk.format(method, "\0", headers, body)
  local at = whole:find("\0", 1, true)
  return whole:sub(1, at - 1), whole:sub(at + 1)
end

local pos = 0
function init(args)
  local n = thread_no or 1
  math.randomseed(os.time() * 1000 + n * 7919)
  if #ids > 0 then pos = (offset + math.floor((n - 1) * #ids / nthreads)) % #ids end
  if #tokens == 0 then
    heads[1], tails[1] = frame(nil)
  else
    for t = 1, #tokens do heads[t], tails[t] = frame(t) end
  end
end

if #tokens > 0 or prefix then
  function request()
    local t = #tokens > 0 and math.random(#tokens) or 1
    if not prefix then return heads[t] .. template .. tails[t] end
    local id
    if walk then
      pos = pos % #ids + 1
      id = ids[pos]
    else
      id = ids[math.random(#ids)]
    end
    return heads[t] .. prefix .. id .. suffix .. tails[t]
  end
else
  -- One request for the whole run: wrk sends it as is, without calling into the script per request.
  wrk.method = method
  wrk.path = template
  wrk.body = body
  if body then wrk.headers["Content-Type"] = "application/json" end
end

function done(summary, latency, requests)
  local slo_us = tonumber(os.getenv("SLO_MS") or "100") * 1000
  -- wrk corrects its latency histogram for coordinated omission (it adds samples for the requests a stalled
  -- connection did not send), so the histogram holds more samples than requests: goodput is the share of
  -- samples within the objective applied to the 2xx answers. wrk keeps no status per sample, so every
  -- non-2xx answer is taken out of the good ones (goodput is never overstated).
  local within, samples = 0, 0
  for i = 1, #latency do
    local value, count = latency(i)
    samples = samples + count
    if value <= slo_us then within = within + count end
  end
  local e = summary.errors
  local socket_errors = e.connect + e.read + e.write + e.timeout
  local seconds = summary.duration / 1e6
  local share = samples > 0 and within / samples or 0
  local good = math.max(0, summary.requests * share - e.status)
  local ms = function(p) return latency:percentile(p) / 1000 end
  io.write(string.format("bench: requests=%d rps=%.1f non2xx=%d socket_errors=%d p50_ms=%.3f p90_ms=%.3f "
      .. "p99_ms=%.3f p999_ms=%.3f max_ms=%.3f slo_ms=%g good_rps=%.1f\n",
      summary.requests, summary.requests / seconds, e.status, socket_errors, ms(50), ms(90), ms(99), ms(99.9),
      latency.max / 1000, slo_us / 1000, good / seconds))
  if os.getenv("PCT_CURVE") == "1" then
    for _, p in ipairs({50, 75, 90, 95, 99, 99.5, 99.9, 99.95, 99.99, 100}) do
      io.write(string.format("pct: %s %.3f\n", p, p == 100 and latency.max / 1000 or ms(p)))
    end
  end
end
