-- POST /v1/posts as one seeded user.
wrk.method = "POST"
wrk.path = "/v1/posts"
wrk.headers["Authorization"] = "Bearer " .. os.getenv("TOKEN")
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"text":"benchmark post: the quick brown fox jumps over the lazy dog"}'
