-- Failed logins, counted atomically (see auth.LoginAttempts). Each attempt takes a place in three logs before
-- its password is checked: the pair (one email from one address), the email and the address. A wrong
-- password leaves it there; a right one gives it back and clears the pair. So a burst of concurrent guesses
-- can never get more past the checks than the limits allow.
--
-- KEYS[1] pair log (sorted set: attempt id -> time ms)   KEYS[2] pair lockout (hash: u = locked until, l = level)
-- KEYS[3] email log                                       KEYS[4] address log
-- ARGV: op ("reserve", "refund" or "succeeded"), attempt id, window ms, lockout after n, first lockout ms,
--       longest lockout ms, max per email, max per address
-- reserve answers {1} when the attempt may go on, else {0, which, retry ms} with which = pair | email | address.
local op = ARGV[1]
local id = ARGV[2]

if op == 'refund' or op == 'succeeded' then
  redis.call('ZREM', KEYS[1], id)
  redis.call('ZREM', KEYS[3], id)
  redis.call('ZREM', KEYS[4], id)
  if op == 'succeeded' then
    redis.call('DEL', KEYS[1], KEYS[2])
  end
  return {1}
end

local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local window = tonumber(ARGV[3])
local lockout_after = tonumber(ARGV[4])
local first_lock = tonumber(ARGV[5])
local longest_lock = tonumber(ARGV[6])

local locked_until = tonumber(redis.call('HGET', KEYS[2], 'u') or '0')
if now < locked_until then
  return {0, 'pair', locked_until - now}
end

for _, key in ipairs({KEYS[1], KEYS[3], KEYS[4]}) do
  redis.call('ZREMRANGEBYSCORE', key, '-inf', now - window)
end

if redis.call('ZCARD', KEYS[1]) >= lockout_after then
  -- Each lockout of the pair doubles the last, up to the longest; the level is forgotten once the pair has
  -- been quiet for the longest lockout after its last one ends.
  local level = redis.call('HINCRBY', KEYS[2], 'l', 1)
  local lock = math.min(first_lock * 2 ^ (level - 1), longest_lock)
  redis.call('HSET', KEYS[2], 'u', now + lock)
  redis.call('PEXPIRE', KEYS[2], math.floor(lock + longest_lock))
  redis.call('DEL', KEYS[1])
  return {0, 'pair', math.floor(lock)}
end

local caps = {{KEYS[3], tonumber(ARGV[7]), 'email'}, {KEYS[4], tonumber(ARGV[8]), 'address'}}
for _, cap in ipairs(caps) do
  if redis.call('ZCARD', cap[1]) >= cap[2] then
    local oldest = redis.call('ZRANGE', cap[1], 0, 0, 'WITHSCORES')
    return {0, cap[3], math.max(1, tonumber(oldest[2]) + window - now)}
  end
end

for _, key in ipairs({KEYS[1], KEYS[3], KEYS[4]}) do
  redis.call('ZADD', key, now, id)
  redis.call('PEXPIRE', key, window)
end
return {1}
