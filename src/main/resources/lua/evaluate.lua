-- Evaluates every policy that applies to one request, atomically, and consumes only if all enforced
-- (non-shadow) policies admit it: a rejected request consumes nothing.
--
-- KEYS[i]  the state of policy i for this request's subject
-- ARGV[1]  'consume' or 'dry' (report what would happen, write nothing)
-- ARGV[2]  number of policies n; then per policy, 6 values:
--          algorithm, a, b, c (the algorithm's parameters), cost (>= 1), shadow ('1' or '0')
-- Returns  { admitted (1/0), now (us), then per policy:
--            ok (1/0), code (0 ok, 1 over the limit, 2 cost exceeds capacity),
--            limit, remaining, reset (ms), retry (ms, -1 = never) }
local OK, EXCEEDED, OVER_CAPACITY = 0, 1, 2
local consume = ARGV[1] == 'consume'
local n = tonumber(ARGV[2])
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000000 + tonumber(time[2])

local outcomes, codes, shadows = {}, {}, {}
local admitted = true
for i = 1, n do
  local at = 3 + (i - 1) * 6
  local algorithm = algorithms[ARGV[at]]
  if not algorithm then
    return redis.error_reply('ERR unknown rate-limit algorithm ' .. tostring(ARGV[at]))
  end
  local cost = tonumber(ARGV[at + 4])
  local outcome = algorithm(KEYS[i], now, ARGV[at + 1], ARGV[at + 2], ARGV[at + 3], cost)
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
local reply = { admitted and 1 or 0, now }
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
return reply
