-- Leases: a node takes up to `size` units of a policy at once and spends them itself, so most of its
-- requests make no Redis trip. Each lease is decided alone (it belongs to the node, not to one request):
-- it takes what the policy has left, at most `size`, and commits that at once.
--
-- KEYS     the state key of each lease
-- ARGV[1]  number of leases n; then per lease 5 values: algorithm, a, b, c (as evaluate.lua), size (>= 1)
-- Returns  per lease: { granted, limit, remaining after the grant, reset (ms), retry (ms, 0 when granted) }
local n = tonumber(ARGV[1])
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000000 + tonumber(time[2])
local reply = {}
for i = 1, n do
  local at = 2 + (i - 1) * 5
  local algorithm = algorithms[ARGV[at]]
  if not algorithm then
    return redis.error_reply('ERR unknown rate-limit algorithm ' .. tostring(ARGV[at]))
  end
  local probe = algorithm(KEYS[i], now, ARGV[at + 1], ARGV[at + 2], ARGV[at + 3], 1)
  local grant = math.min(tonumber(ARGV[at + 4]), probe.remaining_now)
  if probe.ok and grant >= 1 then
    local taken = algorithm(KEYS[i], now, ARGV[at + 1], ARGV[at + 2], ARGV[at + 3], grant)
    taken.commit()
    reply[#reply + 1] = grant
    reply[#reply + 1] = taken.limit
    reply[#reply + 1] = taken.remaining_after
    reply[#reply + 1] = ms(taken.reset_after)
    reply[#reply + 1] = 0
  else
    reply[#reply + 1] = 0
    reply[#reply + 1] = probe.limit
    reply[#reply + 1] = probe.remaining_now
    reply[#reply + 1] = ms(probe.reset_now)
    reply[#reply + 1] = ms(probe.retry)
  end
end
return reply
