-- Quota: at most `limit` per UTC calendar day or month; the count resets when the period ends.
-- State: hash {p = period start (epoch seconds), c = count}, expiring at the period's end.

-- Days since 1970-01-01 <-> proleptic Gregorian (y, m, d): Howard Hinnant's civil calendar algorithms.
local function days_from_civil(y, m, d)
  if m <= 2 then y = y - 1 end
  local era = math.floor(y / 400)
  local yoe = y - era * 400
  local mp = (m + 9) % 12
  local doy = math.floor((153 * mp + 2) / 5) + d - 1
  local doe = yoe * 365 + math.floor(yoe / 4) - math.floor(yoe / 100) + doy
  return era * 146097 + doe - 719468
end

local function civil_from_days(z)
  z = z + 719468
  local era = math.floor(z / 146097)
  local doe = z - era * 146097
  local yoe = math.floor((doe - math.floor(doe / 1460) + math.floor(doe / 36524) - math.floor(doe / 146096)) / 365)
  local doy = doe - (365 * yoe + math.floor(yoe / 4) - math.floor(yoe / 100))
  local mp = math.floor((5 * doy + 2) / 153)
  local d = doy - math.floor((153 * mp + 2) / 5) + 1
  local m = mp < 10 and mp + 3 or mp - 9
  local y = yoe + era * 400
  if m <= 2 then y = y + 1 end
  return y, m, d
end

-- The UTC period containing `seconds` (epoch): its start and its end, in epoch seconds.
local function period_bounds(seconds, period)
  local day = math.floor(seconds / 86400)
  if period == 'day' then
    return day * 86400, (day + 1) * 86400
  end
  local y, m = civil_from_days(day)
  local ny, nm = y, m + 1
  if nm == 13 then ny, nm = y + 1, 1 end
  return days_from_civil(y, m, 1) * 86400, days_from_civil(ny, nm, 1) * 86400
end

algorithms['quota'] = function(key, now, limit, period, _, cost)
  local start, finish = period_bounds(math.floor(now / 1e6), period)
  return period_counter(key, 'p', start, finish * 1e6 - now, tonumber(limit), cost)
end
