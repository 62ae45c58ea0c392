-- Token bucket with the semantics of AWS API Gateway throttling: `rate` tokens per second refill a bucket
-- that holds at most `burst` tokens and starts full; a request takes `cost` tokens or is rejected.
-- State: hash {tokens, ts}, expiring once the bucket would be full again (a missing key is a full bucket).
algorithms['token-bucket'] = function(key, now, rate, burst, _, cost)
  rate = tonumber(rate) / 1e6 -- tokens per microsecond
  burst = tonumber(burst)
  local tokens = burst
  local state = redis.call('HMGET', key, 'tokens', 'ts')
  if state[1] then
    local elapsed = math.max(0, now - tonumber(state[2]))
    tokens = math.min(burst, tonumber(state[1]) + elapsed * rate)
  end
  local ok = tokens + 1e-6 >= cost
  -- A negative cost (a lease given back) fills the bucket, never past full.
  local after = math.min(burst, math.max(0, tokens - cost))
  return {
    ok = ok, limit = burst,
    retry = ok and 0 or (cost - tokens) / rate,
    remaining_now = whole(tokens), reset_now = (burst - tokens) / rate,
    remaining_after = whole(after), reset_after = (burst - after) / rate,
    commit = function()
      redis.call('HSET', key, 'tokens', exact(after), 'ts', exact(now))
      redis.call('PEXPIRE', key, ms((burst - after) / rate) + 1000)
    end
  }
end
