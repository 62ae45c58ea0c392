-- GET /v1/feed as one seeded user who follows about 20 others.
wrk.method = "GET"
wrk.path = "/v1/feed?limit=20"
wrk.headers["Authorization"] = "Bearer " .. os.getenv("TOKEN")
