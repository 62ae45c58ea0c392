-- Sliding window counter: two fixed windows, the previous one weighted by how much of it still overlaps
-- the sliding window (Cloudflare's approximation). Constant memory, smooths the fixed window's double burst;
-- assumes requests were spread evenly over the previous window. State: hash {w, c = count in window w,
-- p = count in window w - 1}, expiring two windows after the last write.
algorithms['sliding-window-counter'] = function(key, now, limit, window, _, cost)
  limit = tonumber(limit)
  local span = tonumber(window) * 1000
  local index = math.floor(now / span)
  local elapsed = now - index * span
  local weight = (span - elapsed) / span
  local current, previous = 0, 0
  local state = redis.call('HMGET', key, 'w', 'c', 'p')
  if state[1] then
    local w = tonumber(state[1])
    if w == index then
      current, previous = tonumber(state[2]), tonumber(state[3] or 0)
    elseif w == index - 1 then
      previous = tonumber(state[2])
    end
  end
  local used = previous * weight + current
  local ok = used + cost <= limit + 1e-6
  local retry = 0
  if not ok and cost <= limit then
    local room = limit - current - cost
    if room >= 0 and previous > 0 then
      -- Later in this window the previous one weighs less: wait until previous * weight <= room.
      retry = span * (1 - room / previous) - elapsed
    else
      -- Only the next window helps; there this window's count is the weighted previous one.
      retry = span - elapsed + math.max(0, span * (1 - (limit - cost) / current))
    end
    retry = math.max(retry, 1)
  end
  return {
    ok = ok, limit = limit, retry = retry,
    remaining_now = whole(limit - used), reset_now = span - elapsed,
    remaining_after = whole(limit - used - cost), reset_after = span - elapsed,
    commit = function()
      redis.call('HSET', key, 'w', exact(index), 'c', current + cost, 'p', previous)
      redis.call('PEXPIRE', key, ms(2 * span) + 1000)
    end
  }
end
