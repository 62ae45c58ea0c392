-- A login flood from one address: POST /v1/auth/token with a seeded user's right password (a right password
-- costs a full PBKDF2 verification and is never throttled as a failure), as fast as the connections go.
local body = '{"email":"' .. os.getenv("FLOOD_EMAIL") .. '","password":"seed-password"}'
request = function()
  return wrk.format("POST", "/v1/auth/token",
    { ["Content-Type"] = "application/json", ["X-Forwarded-For"] = "203.0.113.66" }, body)
end
