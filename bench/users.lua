-- GET /v1/users/{id} over a list of real user ids, with a bearer token.
local ids = {}
for line in io.lines(os.getenv("IDS_FILE")) do ids[#ids + 1] = line end
local auth = "Bearer " .. os.getenv("TOKEN")
request = function()
  local id = ids[math.random(#ids)]
  return wrk.format("GET", "/v1/users/" .. id, { ["Authorization"] = auth })
end
