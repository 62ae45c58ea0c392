-- GET /v1/users/{id} over a list of real user ids, anonymously.
local ids = {}
for line in io.lines(os.getenv("IDS_FILE")) do ids[#ids + 1] = line end
request = function()
  return wrk.format("GET", "/v1/users/" .. ids[math.random(#ids)])
end
