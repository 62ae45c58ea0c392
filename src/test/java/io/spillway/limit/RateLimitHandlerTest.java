package io.spillway.limit;

import io.spillway.server.CallerHandler;
import java.util.List;
import io.spillway.web.Caller;
import io.spillway.web.Problem;
import io.spillway.web.ProblemType;
import io.spillway.web.RequestIds;
import io.spillway.web.RouteTemplates;
import io.spillway.testkit.Ports;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import io.vertx.redis.client.Redis;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static io.spillway.limit.LimitTesting.await;
import static io.spillway.limit.LimitTesting.limits;
import static io.spillway.limit.LimitTesting.limitsJson;
import static io.spillway.limit.LimitTesting.policy;
import static io.spillway.limit.LimitTesting.redisConfig;
import static io.spillway.limit.LimitTesting.route;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The handler in a real vertx-web router over real HTTP, with the limiter on the real Redis. */
class RateLimitHandlerTest {
  private static Vertx vertx;
  private static Redis redis;
  private static RateLimiter limiter;
  private static RateLimiter deadRedisLimiter;
  private static HttpServer server;
  private static WebClient client;

  @BeforeAll
  static void start() {
    vertx = Vertx.vertx();
    redis = LimitTesting.flushedRedis(vertx);
    limiter = RateLimiter.create(redis, limits(limitsJson(
        policy("per-ip", "fixed-window", "limit", 2, "windowSeconds", 3600, "routes", paths("/v1/limited")),
        policy("shadow", "fixed-window", "limit", 1, "windowSeconds", 3600, "shadow", true, "routes", paths("/v1/shadow")),
        policy("daily", "quota", "limit", 1, "period", "day", "routes", paths("/v1/quota")),
        policy("per-user", "token-bucket", "rate", 0.001, "burst", 2, "key", new JsonArray().add("user"),
            "routes", paths("/v1/me")),
        policy("per-key", "fixed-window", "limit", 1, "windowSeconds", 3600, "key", new JsonArray().add("apiKey"),
            "plans", new JsonArray().add("free"), "routes", paths("/v1/keyed")))
        .put("legacyHeaders", true)
        .put("trustedProxies", new JsonArray().add("127.0.0.1"))), null);
    deadRedisLimiter = RateLimiter.create(vertx, redisConfig("redis://127.0.0.1:" + Ports.free()),
        limits(limitsJson(policy("strict", "fixed-window", "limit", 5, "windowSeconds", 60, "onRedisFailure", "closed"))),
        null);

    Router router = Router.router(vertx);
    router.route().handler(new RequestIds());
    // The door, trusting the test client's address as a proxy, as the node's limits.trustedProxies does.
    router.route().handler(new CallerHandler(List.of("127.0.0.1")));
    router.route().handler(ctx -> {
      // Stands in for authentication, which adds who the caller is.
      Caller caller = Caller.of(ctx);
      String user = ctx.request().getHeader("X-Test-User");
      if (user != null) {
        caller = caller.withUser(Long.parseLong(user));
      }
      String key = ctx.request().getHeader("X-Test-Key");
      if (key != null) {
        caller = caller.withApiKey(99, key, "free");
      }
      caller.attach(ctx);
      ctx.next();
    });
    RateLimitHandler handler = new RateLimitHandler(limiter);
    for (String path : new String[] {"/v1/limited", "/v1/shadow", "/v1/quota", "/v1/me", "/v1/keyed"}) {
      RouteTemplates.named(router.get(path), path).handler(handler).handler(ctx -> ctx.end("ok"));
    }
    RouteTemplates.named(router.get("/v1/strict"), "/v1/strict")
        .handler(new RateLimitHandler(deadRedisLimiter)).handler(ctx -> ctx.end("ok"));
    server = await(vertx.createHttpServer().requestHandler(router).listen(Ports.free(), "127.0.0.1"));
    client = WebClient.create(vertx, new WebClientOptions().setDefaultHost("127.0.0.1").setDefaultPort(server.actualPort()));
  }

  @AfterAll
  static void stop() {
    await(vertx.close());
  }

  private static JsonArray paths(String path) {
    return new JsonArray().add(route(path));
  }

  private static HttpResponse<Buffer> get(String path, String... headers) {
    var req = client.get(path);
    for (int i = 0; i < headers.length; i += 2) {
      req.putHeader(headers[i], headers[i + 1]);
    }
    return await(req.send());
  }

  @Test
  void rejectsWith429ProblemRetryAfterAndHeaders() {
    HttpResponse<Buffer> first = get("/v1/limited");
    assertEquals(200, first.statusCode());
    assertEquals("\"per-ip\";q=2;w=3600", first.getHeader("RateLimit-Policy"));
    assertTrue(first.getHeader("RateLimit").startsWith("\"per-ip\";r=1;t="));
    assertEquals("2", first.getHeader("X-RateLimit-Limit"));
    assertEquals("1", first.getHeader("X-RateLimit-Remaining"));
    assertNotNull(first.getHeader("X-RateLimit-Reset"));
    assertEquals(200, get("/v1/limited").statusCode());

    HttpResponse<Buffer> rejected = get("/v1/limited");
    assertEquals(429, rejected.statusCode());
    assertEquals(Problem.CONTENT_TYPE, rejected.getHeader("Content-Type"));
    JsonObject problem = rejected.bodyAsJsonObject();
    assertEquals(ProblemType.TYPE_BASE + "rate-limited/per-ip", problem.getString("type"));
    assertEquals(429, problem.getInteger("status"));
    assertNotNull(problem.getString("requestId"));
    long retryAfter = Long.parseLong(rejected.getHeader("Retry-After"));
    assertTrue(retryAfter >= 1 && retryAfter <= 3600);
    assertEquals("\"per-ip\";r=0;t=" + retryAfter, rejected.getHeader("RateLimit"));
    assertEquals("0", rejected.getHeader("X-RateLimit-Remaining"));
  }

  @Test
  void forwardedForCountsOnlyFromATrustedProxy() {
    // The test client connects from 127.0.0.1, a trusted proxy here: the forwarded client gets its own budget.
    assertEquals(200, get("/v1/limited", "X-Forwarded-For", "203.0.113.50").statusCode());
    assertEquals(200, get("/v1/limited", "X-Forwarded-For", "203.0.113.50").statusCode());
    assertEquals(429, get("/v1/limited", "X-Forwarded-For", "203.0.113.50").statusCode());
    assertEquals(200, get("/v1/limited", "X-Forwarded-For", "203.0.113.51").statusCode());
  }

  @Test
  void shadowPoliciesCountAndTellButNeverReject() {
    for (int i = 0; i < 4; i++) {
      HttpResponse<Buffer> r = get("/v1/shadow", "X-Forwarded-For", "203.0.113.60");
      assertEquals(200, r.statusCode());
      assertTrue(r.getHeader("RateLimit").startsWith("\"shadow\";r=0;"), r.getHeader("RateLimit"));
      assertNull(r.getHeader("Retry-After"));
    }
  }

  @Test
  void quotaRejectionsHaveTheirOwnTypeAndRetryAtThePeriodEnd() {
    assertEquals(200, get("/v1/quota", "X-Forwarded-For", "203.0.113.70").statusCode());
    HttpResponse<Buffer> rejected = get("/v1/quota", "X-Forwarded-For", "203.0.113.70");
    assertEquals(429, rejected.statusCode());
    assertEquals(ProblemType.TYPE_BASE + "quota-exceeded", rejected.bodyAsJsonObject().getString("type"));
    long retryAfter = Long.parseLong(rejected.getHeader("Retry-After"));
    long untilMidnight = 86_400 - Math.floorMod(System.currentTimeMillis() / 1000, 86_400);
    assertEquals(untilMidnight, retryAfter, 5.0);
    assertEquals("\"daily\";q=1;w=86400", rejected.getHeader("RateLimit-Policy"));
  }

  @Test
  void perUserAndPerApiKeyPoliciesUseTheContext() {
    assertEquals(200, get("/v1/me", "X-Test-User", "1001").statusCode());
    assertEquals(200, get("/v1/me", "X-Test-User", "1001").statusCode());
    assertEquals(429, get("/v1/me", "X-Test-User", "1001").statusCode());
    assertEquals(200, get("/v1/me", "X-Test-User", "1002").statusCode());
    HttpResponse<Buffer> anonymous = get("/v1/me");
    assertEquals(200, anonymous.statusCode());
    assertNull(anonymous.getHeader("RateLimit"), "no per-user policy applies to an anonymous request");

    assertEquals(200, get("/v1/keyed", "X-Test-Key", "key-1").statusCode());
    assertEquals(429, get("/v1/keyed", "X-Test-Key", "key-1").statusCode());
    assertEquals(200, get("/v1/keyed", "X-Test-Key", "key-2").statusCode());
  }

  @Test
  void closedPolicyWithoutRedisAnswers503() {
    HttpResponse<Buffer> r = get("/v1/strict");
    assertEquals(503, r.statusCode());
    assertEquals(Problem.CONTENT_TYPE, r.getHeader("Content-Type"));
    assertEquals(ProblemType.TYPE_BASE + "rate-limit-unavailable", r.bodyAsJsonObject().getString("type"));
  }
}
