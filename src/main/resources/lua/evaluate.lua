-- Evaluates the policies of one or more requests, atomically and in order. For each request, every policy
-- that applies is checked and the request consumes only if all enforced (non-shadow) policies admit it: a
-- rejected request consumes nothing. Several requests in one call (a batch of those that arrived together)
-- are decided exactly as if each had been its own call, one after the other.
--
-- KEYS     the state keys of every policy of every request, request after request
-- ARGV[1]  'consume' or 'dry' (report what would happen, write nothing)
-- ARGV[2]  number of requests m; then per request: number of policies n, then per policy 6 values:
--          algorithm, a, b, c (the algorithm's parameters), cost (>= 1), shadow ('1' or '0')
-- Returns  per request: { admitted (1/0), now (us), then per policy:
--            ok (1/0), code (0 ok, 1 over the limit, 2 cost exceeds capacity),
--            limit, remaining, reset (ms), retry (ms, -1 = never) }, all requests in one flat list
local OK, EXCEEDED, OVER_CAPACITY = 0, 1, 2
local consume = ARGV[1] == 'consume'
local m = tonumber(ARGV[2])
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000000 + tonumber(time[2])

local reply = {}
local arg = 3
local key = 1
for _ = 1, m do
  local n = tonumber(ARGV[arg])
  arg = arg + 1
  local outcomes, codes, shadows = {}, {}, {}
  local admitted = true
  for i = 1, n do
    local at = arg + (i - 1) * 6
    local algorithm = algorithms[ARGV[at]]
    if not algorithm then
      return redis.error_reply('ERR unknown rate-limit algorithm ' .. tostring(ARGV[at]))
    end
    local cost = tonumber(ARGV[at + 4])
    local outcome = algorithm(KEYS[key + i - 1], now, ARGV[at + 1], ARGV[at + 2], ARGV[at + 3], cost)
    local code = outcome.ok and OK or EXCEEDED
    if cost > outcome.limit then
      -- No amount of waiting admits this request: say so instead of a retry time.
      outcome.ok, code, outcome.retry = false, OVER_CAPACITY, -1
    end
    outcomes[i], codes[i], shadows[i] = outcome, code, ARGV[at + 5] == '1'
    if not outcome.ok and not shadows[i] then
      admitted = false
    end
  end

  local committed = admitted and consume
  reply[#reply + 1] = admitted and 1 or 0
  reply[#reply + 1] = now
  for i = 1, n do
    local o = outcomes[i]
    -- A shadow policy never rejects; it counts the request only when it has room for it.
    local counted = committed and o.ok
    if counted then
      o.commit()
    end
    reply[#reply + 1] = o.ok and 1 or 0
    reply[#reply + 1] = codes[i]
    reply[#reply + 1] = o.limit
    reply[#reply + 1] = counted and o.remaining_after or o.remaining_now
    reply[#reply + 1] = ms(counted and o.reset_after or o.reset_now)
    reply[#reply + 1] = o.retry < 0 and -1 or ms(o.retry)
  end
  arg = arg + n * 6
  key = key + n
end
return reply
