-- Shared by every algorithm file. The files are joined (prelude, algorithms, evaluate.lua) into the one
-- script the limiter loads with SCRIPT LOAD; see docs/rate-limiting.md.
--
-- An algorithm is a function (key, now, a, b, c, cost) -> outcome, where now is Redis TIME in microseconds
-- and a, b, c its parameters. It only reads; the outcome's commit() writes, and evaluate.lua calls commit()
-- only when every enforced policy of the request admits it (a rejected request consumes nothing).
-- outcome = { ok, limit, retry (us, 0 when ok),
--             remaining_now, reset_now (us)       -- the state as it is
--             remaining_after, reset_after (us)   -- the state once this request is counted
--             commit = function() ... end }

-- Redis < 5 replicated scripts verbatim, which forbids writing after reading TIME; effects replication
-- (the only mode since Redis 7) replicates the writes instead.
if redis.replicate_commands then pcall(redis.replicate_commands) end

local algorithms = {}

-- Numbers are stored as text; Lua's default conversion keeps only 14 digits, too few for microseconds.
local function exact(n)
  return string.format('%.17g', n)
end

-- Rounded up (never tell a client to come back too early), ignoring floating-point dust.
local function ms(us)
  return math.ceil(us / 1000 - 1e-6)
end

local function whole(n)
  -- Floating-point sums land a hair under an integer (4.9999999999); count that as the integer.
  return math.max(0, math.floor(n + 1e-6))
end

-- A counter that starts again at every period: `id` names the current period (stored in `field`), `reset`
-- is the time to its end. Fixed windows and calendar quotas differ only in how they cut time into periods.
local function period_counter(key, field, id, reset, limit, cost)
  local count = 0
  local state = redis.call('HMGET', key, field, 'c')
  if state[1] and tonumber(state[1]) == id then
    count = tonumber(state[2])
  end
  local ok = count + cost <= limit
  -- A negative cost (a lease given back) lowers the count, never below zero.
  local after = math.max(0, count + cost)
  return {
    ok = ok, limit = limit,
    retry = ok and 0 or reset,
    remaining_now = math.max(0, limit - count), reset_now = reset,
    remaining_after = math.max(0, limit - after), reset_after = reset,
    commit = function()
      redis.call('HSET', key, field, exact(id), 'c', after)
      redis.call('PEXPIRE', key, ms(reset) + 1000)
    end
  }
end
