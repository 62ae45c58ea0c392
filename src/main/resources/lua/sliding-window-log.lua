-- Sliding window log: exact; at most `limit` in any `window` ms. Every admitted unit is a member of a sorted
-- set scored by its time, so memory per subject is bounded by the limit. State: sorted set, expiring one
-- window after the newest entry.
algorithms['sliding-window-log'] = function(key, now, limit, window, _, cost)
  limit = tonumber(limit)
  local span = tonumber(window) * 1000
  local since = now - span
  local count = redis.call('ZCOUNT', key, '(' .. exact(since), '+inf')
  local ok = count + cost <= limit
  -- An entry leaves the window `span` after it was added: the oldest live one frees the first slot.
  local function freed_after(nth)
    local entry = redis.call('ZRANGEBYSCORE', key, '(' .. exact(since), '+inf', 'WITHSCORES', 'LIMIT', nth - 1, 1)
    if entry[2] then
      return tonumber(entry[2]) + span - now
    end
    return 0
  end
  local retry = 0
  if not ok and cost <= limit then
    retry = freed_after(count + cost - limit)
  end
  local reset_now = count > 0 and freed_after(1) or 0
  return {
    ok = ok, limit = limit, retry = retry,
    remaining_now = math.max(0, limit - count), reset_now = reset_now,
    remaining_after = math.max(0, limit - count - cost), reset_after = count > 0 and reset_now or span,
    commit = function()
      redis.call('ZREMRANGEBYSCORE', key, '-inf', exact(since))
      -- Members must be unique: scripts run one at a time, so (time, position) never repeats.
      local base = redis.call('ZCARD', key)
      local args = {}
      for i = 1, cost do
        args[#args + 1] = exact(now)
        args[#args + 1] = exact(now) .. '-' .. (base + i)
      end
      redis.call('ZADD', key, unpack(args))
      redis.call('PEXPIRE', key, ms(span) + 1000)
    end
  }
end
