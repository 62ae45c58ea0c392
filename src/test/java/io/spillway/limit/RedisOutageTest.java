package io.spillway.limit;

import io.spillway.testkit.RedisProcess;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.spillway.config.LimitsConfig;
import io.spillway.testkit.Ports;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static io.spillway.limit.LimitTesting.await;
import static io.spillway.limit.LimitTesting.limits;
import static io.spillway.limit.LimitTesting.limitsJson;
import static io.spillway.limit.LimitTesting.policy;
import static io.spillway.limit.LimitTesting.redisConfig;
import static io.spillway.limit.LimitTesting.request;
import static io.spillway.limit.LimitTesting.route;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Redis is killed while the limiter serves: each policy falls back as configured, the breaker stops the
 * limiter from trying Redis on every request, and when Redis comes back on the same port the limits are
 * global again, by themselves.
 */
class RedisOutageTest {
  private static final int THRESHOLD = 3;

  private static Vertx vertx;
  private static RedisProcess redisServer;

  @BeforeAll
  static void start() {
    vertx = Vertx.vertx();
    redisServer = new RedisProcess(Ports.free());
    redisServer.start(vertx);
  }

  @AfterAll
  static void stop() {
    redisServer.close();
    await(vertx.close());
  }

  private static LimitsConfig config() {
    JsonObject json = limitsJson(
        policy("local", "fixed-window", "limit", 10, "windowSeconds", 3600, "routes", new JsonArray().add(route("/local"))),
        policy("closed", "fixed-window", "limit", 10, "windowSeconds", 3600, "onRedisFailure", "closed",
            "routes", new JsonArray().add(route("/closed"))),
        policy("open", "fixed-window", "limit", 10, "windowSeconds", 3600, "onRedisFailure", "open",
            "routes", new JsonArray().add(route("/open"))))
        .put("expectedNodes", 2)
        .put("redisTimeoutMs", 1000)
        .put("breaker", new JsonObject().put("failureThreshold", THRESHOLD).put("openMs", 2000));
    return limits(json);
  }

  private static double metric(PrometheusMeterRegistry registry, String name) {
    for (String line : registry.scrape().split("\n")) {
      if (line.startsWith(name + " ") || line.startsWith(name + "{")) {
        return Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
      }
    }
    throw new AssertionError(name + " not found in\n" + registry.scrape());
  }

  private static List<Decision> concurrently(RateLimiter limiter, int n, RequestInfo info) {
    List<Future<Decision>> all = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      all.add(limiter.check(info));
    }
    await(Future.all(all));
    return all.stream().map(Future::result).toList();
  }

  /**
   * Switching to the local fallback does not hand a client a fresh burst: its token bucket starts from what
   * Redis last said about it. (Refill is slow here, so whatever more got through would be the switch's gift.)
   */
  @Test
  void theSwitchToLocalStartsFromRedisLastAnswerNotAFullBurst() {
    LimitsConfig config = limits(limitsJson(
        policy("bucket", "token-bucket", "rate", 0.1, "burst", 10, "routes", new JsonArray().add(route("/bucket"))))
        .put("expectedNodes", 1)
        .put("breaker", new JsonObject().put("failureThreshold", 1).put("openMs", 60_000)));
    RateLimiter limiter = RateLimiter.create(vertx, redisConfig(redisServer.uri()), config, null);
    await(limiter.loadScript());
    for (int i = 0; i < 8; i++) {
      Decision d = await(limiter.check(request("/bucket", "192.0.2.40")));
      assertTrue(d.admitted() && !d.degraded());
    }
    redisServer.kill();
    try {
      List<Decision> during = new ArrayList<>();
      for (int i = 0; i < 20; i++) {
        during.add(await(limiter.check(request("/bucket", "192.0.2.40"))));
      }
      assertTrue(during.stream().allMatch(Decision::degraded), "decided locally");
      assertEquals(2, during.stream().filter(Decision::admitted).count(),
          "the 2 tokens Redis said were left, not a new burst of 10");
    } finally {
      redisServer.start(vertx);
    }
  }

  /** The same in leased mode, where the node takes units from Redis in batches: its last fetch seeds the fallback. */
  @Test
  void inLeasedModeTheSwitchToLocalStartsFromTheLastLeaseNotAFullBurst() {
    LimitsConfig config = limits(limitsJson(
        policy("leased", "token-bucket", "rate", 0.1, "burst", 40, "leaseSize", 4,
            "routes", new JsonArray().add(route("/leased"))))
        .put("expectedNodes", 1)
        .put("breaker", new JsonObject().put("failureThreshold", 1).put("openMs", 60_000)));
    RateLimiter limiter = RateLimiter.create(vertx, redisConfig(redisServer.uri()), config, null);
    await(limiter.loadScript());
    for (int i = 0; i < 30; i++) {
      assertTrue(await(limiter.check(request("/leased", "192.0.2.41"))).admitted());
    }
    redisServer.kill();
    try {
      // Let the last lease expire (leaseTtlMs 1000 by default), so only the fallback decides.
      await(vertx.timer(1200, TimeUnit.MILLISECONDS));
      long admitted = 0;
      for (int i = 0; i < 40; i++) {
        Decision d = await(limiter.check(request("/leased", "192.0.2.41")));
        assertTrue(d.degraded(), "decided locally");
        admitted += d.admitted() ? 1 : 0;
      }
      // 30 of 40 were spent: 10 left (the seed is taken at the last fetch, so it may count that lease's
      // units once more: at most one lease, 4), not a new burst of 40.
      assertTrue(admitted <= 10 + 4, admitted + " admitted after the switch");
    } finally {
      redisServer.start(vertx);
    }
  }

  @Test
  void fallsBackWhileRedisIsDownAndReturnsToGlobalLimitsWhenItIsBack() {
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    LimitsConfig config = config();
    RateLimiter node1 = RateLimiter.create(vertx, redisConfig(redisServer.uri()), config, registry);
    RateLimiter node2 = RateLimiter.create(vertx, redisConfig(redisServer.uri()), config, null);
    await(node1.loadScript());
    Decision before = await(node1.check(request("/local", "192.0.2.10")));
    assertTrue(before.admitted());
    assertFalse(before.degraded());
    assertEquals(0.0, metric(registry, "spillway_ratelimit_fallback_active"));

    redisServer.kill();

    // Until the breaker opens, each request tries Redis, fails fast and falls back.
    for (int i = 0; i < THRESHOLD; i++) {
      Decision open = await(node1.check(request("/open", "192.0.2.11")));
      assertTrue(open.admitted(), "open: admitted without Redis");
      assertTrue(open.degraded());
    }
    assertTrue(node1.fallbackActive(), "the breaker opened");
    assertEquals(1.0, metric(registry, "spillway_ratelimit_fallback_active"));
    assertEquals(THRESHOLD, metric(registry, "spillway_ratelimit_redis_failures_total"));

    // Local: this node allows its share, limit / expectedNodes = 5, and nothing fails.
    List<Decision> local = concurrently(node1, 80, request("/local", "192.0.2.12"));
    assertEquals(5, local.stream().filter(Decision::admitted).count());
    assertTrue(local.stream().allMatch(Decision::degraded));
    assertTrue(local.stream().filter(d -> !d.admitted()).allMatch(d -> "local".equals(d.rejectedBy())));
    Decision closed = await(node1.check(request("/closed", "192.0.2.13")));
    assertFalse(closed.admitted());
    assertTrue(closed.unavailable(), "closed: the HTTP layer answers 503");
    assertTrue(await(node1.check(request("/open", "192.0.2.13"))).admitted());
    // 80+ requests while open: at most a probe or two reached for Redis, not one attempt per request.
    assertTrue(metric(registry, "spillway_ratelimit_redis_failures_total") <= THRESHOLD + 2,
        "Redis attempts stay bounded while the breaker is open");
    assertEquals(1.0, metric(registry, "spillway_ratelimit_decisions_total{policy=\"closed\",result=\"unavailable\"}"),
        "the one request on /closed is counted as refused for want of Redis");

    redisServer.start(vertx);

    // Back by itself: a probe finds Redis (with an empty script cache: NOSCRIPT, reloaded) and closes the breaker.
    Decision back = await(node1.check(request("/local", "192.0.2.14")));
    for (int i = 0; i < 200 && back.degraded(); i++) {
      await(vertx.timer(50, TimeUnit.MILLISECONDS));
      back = await(node1.check(request("/local", "192.0.2.14")));
    }
    assertFalse(back.degraded(), "decided by Redis again");
    assertFalse(node1.fallbackActive());
    assertEquals(0.0, metric(registry, "spillway_ratelimit_fallback_active"));
    // Global again: two nodes share the limit of 10, not 5 each.
    List<Decision> global = new ArrayList<>(concurrently(node1, 8, request("/local", "192.0.2.15")));
    for (int i = 0; i < 8 && node2.fallbackActive(); i++) {
      await(node2.check(request("/open", "192.0.2.16")));
    }
    global.addAll(concurrently(node2, 8, request("/local", "192.0.2.15")));
    assertTrue(global.stream().noneMatch(Decision::degraded));
    assertEquals(10, global.stream().filter(Decision::admitted).count());
    await(node1.close());
    await(node2.close());
  }

  @Test
  void aLimiterWhoseRedisNeverAnswersStillDecides() {
    JsonObject json = limitsJson(policy("local", "token-bucket", "rate", 0.001, "burst", 4))
        .put("breaker", new JsonObject().put("failureThreshold", 1).put("openMs", 60_000));
    RateLimiter limiter = RateLimiter.create(vertx, redisConfig("redis://127.0.0.1:" + Ports.free()), limits(json), null);
    List<Decision> decisions = concurrently(limiter, 70, request("/x", "192.0.2.20"));
    assertEquals(4, decisions.stream().filter(Decision::admitted).count());
    assertTrue(decisions.stream().allMatch(Decision::degraded));
    await(limiter.close());
  }

  @Test
  void scriptIsReloadedTransparentlyAfterAFlush() {
    RateLimiter limiter = RateLimiter.create(vertx, redisConfig(redisServer.uri()),
        limits(limitsJson(policy("fw", "fixed-window", "limit", 5, "windowSeconds", 3600))), null);
    assertFalse(await(limiter.check(request("/x", "192.0.2.30"))).degraded());
    Redis admin = Redis.createClient(vertx, redisServer.uri());
    await(admin.send(Request.cmd(Command.SCRIPT).arg("FLUSH")));
    Decision d = await(limiter.check(request("/x", "192.0.2.30")));
    assertFalse(d.degraded(), "NOSCRIPT was answered by reloading, not by falling back");
    assertEquals(3, d.remaining());
    await(admin.close());
    await(limiter.close());
  }
}
