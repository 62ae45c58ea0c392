-- Fixed window: at most `limit` per window of `window` ms aligned to the epoch, so every node agrees where a
-- window starts. Cheap and exact within a window, but a client may send `limit` at the end of one window and
-- `limit` again at the start of the next. State: hash {w = window number, c = count}.
algorithms['fixed-window'] = function(key, now, limit, window, _, cost)
  limit = tonumber(limit)
  local span = tonumber(window) * 1000
  local index = math.floor(now / span)
  local reset = (index + 1) * span - now
  local count = 0
  local state = redis.call('HMGET', key, 'w', 'c')
  if state[1] and tonumber(state[1]) == index then
    count = tonumber(state[2])
  end
  local ok = count + cost <= limit
  return {
    ok = ok, limit = limit,
    retry = ok and 0 or reset,
    remaining_now = math.max(0, limit - count), reset_now = reset,
    remaining_after = math.max(0, limit - count - cost), reset_after = reset,
    commit = function()
      redis.call('HSET', key, 'w', exact(index), 'c', count + cost)
      redis.call('PEXPIRE', key, ms(reset) + 1000)
    end
  }
end
