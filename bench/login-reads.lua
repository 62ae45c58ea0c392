-- Other users' reads while a login flood runs: GET /v1/users/{id} with a reader's token, each reader from an
-- address of its own (X-Forwarded-For; the server trusts 127.0.0.1 as a proxy). READERS_FILE holds lines
-- "<token> <address>"; IDS_FILE user ids. Each connection waits DELAY_MS between requests, so the readers
-- ask at a steady pace whatever the latency (an open-loop-ish load, not a saturating one).
local readers, ids = {}, {}
for line in io.lines(os.getenv("READERS_FILE")) do
  local token, addr = line:match("^(%S+) (%S+)$")
  readers[#readers + 1] = { auth = "Bearer " .. token, addr = addr }
end
for line in io.lines(os.getenv("IDS_FILE")) do ids[#ids + 1] = line end
local delay_ms = tonumber(os.getenv("DELAY_MS") or "20")
local statuses = {}

request = function()
  local r = readers[math.random(#readers)]
  return wrk.format("GET", "/v1/users/" .. ids[math.random(#ids)],
    { ["Authorization"] = r.auth, ["X-Forwarded-For"] = r.addr })
end

delay = function() return delay_ms end

response = function(status) statuses[status] = (statuses[status] or 0) + 1 end

done = function()
  -- wrk runs response() in each thread's own Lua state; the summary only sees the main one, so the status
  -- counts are for one thread. Non-2xx totals for all threads are in wrk's own report.
end
