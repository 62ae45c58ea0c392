-- GCRA, the generic cell rate algorithm (as redis-cell): `limit` requests per `window` ms, at most `burst`
-- at once (redis-cell's max_burst is burst - 1). The state is one number, the theoretical arrival time (TAT):
-- the time at which the subject would have used nothing. A request is admitted when it does not push the
-- TAT more than `burst` emission intervals past now. Expires when the TAT is reached.
algorithms['gcra'] = function(key, now, limit, window, burst, cost)
  local interval = tonumber(window) * 1000 / tonumber(limit) -- microseconds per request
  burst = tonumber(burst)
  local tolerance = interval * burst
  local tat = tonumber(redis.call('GET', key) or 0)
  if tat < now then
    tat = now
  end
  -- A negative cost (a lease given back) moves the TAT back, never before now.
  local new_tat = math.max(now, tat + cost * interval)
  local allow_at = new_tat - tolerance
  local ok = allow_at <= now + 1
  return {
    ok = ok, limit = burst,
    retry = ok and 0 or allow_at - now,
    remaining_now = whole((tolerance - (tat - now)) / interval), reset_now = tat - now,
    remaining_after = whole((tolerance - (new_tat - now)) / interval), reset_after = new_tat - now,
    commit = function()
      redis.call('SET', key, exact(new_tat), 'PX', ms(new_tat - now) + 1000)
    end
  }
end
