-- Leases: a node takes up to `size` units of a policy at once and spends them itself, so most of its
-- requests make no Redis trip. Each lease is decided alone (it belongs to the node, not to one request):
-- it takes what the policy has left, at most `size`, and commits that at once.
--
-- KEYS     the state key of each lease
-- ARGV[1]  number of leases n; then per lease 5 values: algorithm, a, b, c (as evaluate.lua), size
--          (>= 1: take up to size; < 0: a refund, give -size unspent units of a dropped lease back)
-- Returns  per lease: { granted, limit, remaining after the grant, reset (ms), retry (ms, 0 when granted) };
--          a refund answers { 0, limit, remaining after the refund, reset (ms), 0 }
local n = tonumber(ARGV[1])
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000000 + tonumber(time[2])
local reply = {}

local function answer(granted, limit, remaining, reset_ms, retry_ms)
  reply[#reply + 1] = granted
  reply[#reply + 1] = limit
  reply[#reply + 1] = remaining
  reply[#reply + 1] = reset_ms
  reply[#reply + 1] = retry_ms
end

-- Takes what the policy has left, at most `size` (>= 1), and commits it. A busy subject's policy usually
-- holds the whole lease: that is tried first, in one evaluation.
local function take(algorithm, key, a, b, c, size)
  local whole_lease = algorithm(key, now, a, b, c, size)
  if whole_lease.ok then
    whole_lease.commit()
    answer(size, whole_lease.limit, whole_lease.remaining_after, ms(whole_lease.reset_after), 0)
    return
  end
  local probe = algorithm(key, now, a, b, c, 1)
  local grant = math.min(size, probe.remaining_now)
  if probe.ok and grant >= 1 then
    local taken = algorithm(key, now, a, b, c, grant)
    taken.commit()
    answer(grant, taken.limit, taken.remaining_after, ms(taken.reset_after), 0)
  else
    answer(0, probe.limit, probe.remaining_now, ms(probe.reset_now), ms(probe.retry))
  end
end

-- Gives `units` back: the policy is charged a negative cost (each algorithm keeps its state within bounds).
local function give_back(algorithm, key, a, b, c, units)
  local back = algorithm(key, now, a, b, c, -units)
  back.commit()
  answer(0, back.limit, back.remaining_after, ms(math.max(0, back.reset_after)), 0)
end

for i = 1, n do
  local at = 2 + (i - 1) * 5
  local algorithm = algorithms[ARGV[at]]
  if not algorithm then
    return redis.error_reply('ERR unknown rate-limit algorithm ' .. tostring(ARGV[at]))
  end
  local size = tonumber(ARGV[at + 4])
  if size < 0 then
    give_back(algorithm, KEYS[i], ARGV[at + 1], ARGV[at + 2], ARGV[at + 3], -size)
  else
    take(algorithm, KEYS[i], ARGV[at + 1], ARGV[at + 2], ARGV[at + 3], size)
  end
end
return reply
