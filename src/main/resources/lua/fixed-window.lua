-- Fixed window: at most `limit` per window of `window` ms aligned to the epoch, so every node agrees where a
-- window starts. Cheap and exact within a window, but a client may send `limit` at the end of one window and
-- `limit` again at the start of the next. State: hash {w = window number, c = count}.
algorithms['fixed-window'] = function(key, now, limit, window, _, cost)
  local span = tonumber(window) * 1000
  local index = math.floor(now / span)
  return period_counter(key, 'w', index, (index + 1) * span - now, tonumber(limit), cost)
end
