package io.spillway.limit;

import io.spillway.config.RateLimitPolicy;
import io.spillway.config.RateLimitPolicy.Period;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static io.spillway.limit.LimitTesting.await;
import static io.spillway.limit.LimitTesting.awaitRedisTime;
import static io.spillway.limit.LimitTesting.awaitWindowOffset;
import static io.spillway.limit.LimitTesting.limits;
import static io.spillway.limit.LimitTesting.limitsJson;
import static io.spillway.limit.LimitTesting.policy;
import static io.spillway.limit.LimitTesting.redisMicros;
import static io.spillway.limit.LimitTesting.request;
import static io.spillway.limit.LimitTesting.route;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Each algorithm's behaviour at its edges, through the limiter, against the real Redis. */
class AlgorithmsTest {
  private static Vertx vertx;
  private static Redis redis;

  @BeforeAll
  static void start() {
    vertx = Vertx.vertx();
    redis = LimitTesting.flushedRedis(vertx);
  }

  @AfterAll
  static void stop() {
    await(vertx.close());
  }

  private static RateLimiter limiter(JsonObject... policies) {
    return RateLimiter.create(redis, limits(limitsJson(policies)), null);
  }

  /** Decided by Redis: a broken script would otherwise hide behind the local fallback. */
  private static Decision check(RateLimiter limiter, String path) {
    Decision d = await(limiter.check(request(path, "192.0.2.1")));
    assertFalse(d.degraded(), "decided by Redis");
    return d;
  }

  private static List<Decision> checks(RateLimiter limiter, String path, int n) {
    List<Decision> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      out.add(check(limiter, path));
    }
    return out;
  }

  private static long admitted(List<Decision> decisions) {
    return decisions.stream().filter(Decision::admitted).count();
  }

  private static JsonArray only(String path) {
    return new JsonArray().add(route(path));
  }

  @Test
  void tokenBucketCountsDownThenRefillsAtItsRate() {
    RateLimiter limiter = limiter(policy("tb", "token-bucket", "rate", 1, "burst", 5));
    List<Decision> burst = checks(limiter, "/x", 5);
    assertEquals(List.of(4L, 3L, 2L, 1L, 0L), burst.stream().map(Decision::remaining).toList());
    assertTrue(burst.stream().allMatch(Decision::admitted));
    Decision rejected = check(limiter, "/x");
    assertFalse(rejected.admitted());
    assertEquals("tb", rejected.rejectedBy());
    assertEquals(Decision.LIMIT_EXCEEDED, rejected.reason());
    assertTrue(rejected.retryAfterMillis() > 0 && rejected.retryAfterMillis() <= 1000, "one token per second");
    awaitRedisTime(vertx, redis, redisMicros(redis) + rejected.retryAfterMillis() * 1000);
    assertTrue(check(limiter, "/x").admitted(), "refilled");
  }

  @Test
  void gcraAllowsTheBurstThenOneRequestPerEmissionInterval() {
    RateLimiter limiter = limiter(policy("g", "gcra", "limit", 2, "windowSeconds", 2, "burst", 3));
    assertEquals(3, admitted(checks(limiter, "/x", 3)));
    Decision rejected = check(limiter, "/x");
    assertFalse(rejected.admitted());
    assertTrue(rejected.retryAfterMillis() > 0 && rejected.retryAfterMillis() <= 1000, "one request per second");
    awaitRedisTime(vertx, redis, redisMicros(redis) + rejected.retryAfterMillis() * 1000);
    assertTrue(check(limiter, "/x").admitted());
    assertFalse(check(limiter, "/x").admitted(), "one interval buys one request");
  }

  @Test
  void costTakesSeveralUnitsAndARejectionTakesNone() {
    RateLimiter limiter = limiter(policy("fw", "fixed-window", "limit", 10, "windowSeconds", 3600,
        "cost", new JsonObject().put("GET /search", 4)));
    assertEquals(6, check(limiter, "/search").remaining());
    assertEquals(2, check(limiter, "/search").remaining());
    Decision rejected = check(limiter, "/search");
    assertFalse(rejected.admitted());
    assertEquals(2, rejected.remaining());
    assertEquals(1, check(limiter, "/other").remaining(), "a cost-1 request still fits");
  }

  @Test
  void costAboveCapacityIsAlwaysRejectedWithAClearReason() {
    JsonObject big = new JsonObject().put("GET /big", 6);
    for (JsonObject p : List.of(
        policy("tb", "token-bucket", "rate", 1, "burst", 5, "cost", big),
        policy("g", "gcra", "limit", 5, "windowSeconds", 60, "cost", big),
        policy("fw", "fixed-window", "limit", 5, "windowSeconds", 60, "cost", big),
        policy("sl", "sliding-window-log", "limit", 5, "windowSeconds", 60, "cost", big),
        policy("sc", "sliding-window-counter", "limit", 5, "windowSeconds", 60, "cost", big),
        policy("q", "quota", "limit", 5, "period", "day", "cost", big))) {
      RateLimiter limiter = limiter(p);
      Decision d = check(limiter, "/big");
      assertFalse(d.admitted(), p.encode());
      assertEquals(Decision.COST_EXCEEDS_CAPACITY, d.reason(), p.encode());
      assertEquals(-1, d.retryAfterSeconds(), "waiting cannot help");
      assertEquals(5, admitted(checks(limiter, "/small", 6)), "nothing was consumed: " + p.encode());
    }
  }

  @Test
  void fixedWindowAllowsADoubleBurstAcrossTheBoundarySlidingLogDoesNot() {
    RateLimiter limiter = limiter(
        policy("fixed", "fixed-window", "limit", 5, "windowSeconds", 2, "routes", only("/fixed")),
        policy("log", "sliding-window-log", "limit", 5, "windowSeconds", 2, "routes", only("/log")));
    // The end of one 2 s window, a burst on each; then just past the boundary, another burst.
    long mid = awaitWindowOffset(vertx, redis, 2000, 1000);
    assertEquals(5, admitted(checks(limiter, "/fixed", 5)));
    assertEquals(5, admitted(checks(limiter, "/log", 5)));
    awaitRedisTime(vertx, redis, mid + 1_050_000);
    assertEquals(5, admitted(checks(limiter, "/fixed", 6)), "a new fixed window: the whole limit again");
    Decision log = check(limiter, "/log");
    assertFalse(log.admitted(), "the sliding log still sees the first burst");
    assertTrue(log.retryAfterMillis() > 0 && log.retryAfterMillis() <= 1000);
    awaitRedisTime(vertx, redis, redisMicros(redis) + log.retryAfterMillis() * 1000);
    assertTrue(check(limiter, "/log").admitted(), "the oldest entries left the window");
  }

  @Test
  void slidingCounterWeighsThePreviousWindow() {
    RateLimiter limiter = limiter(policy("sc", "sliding-window-counter", "limit", 10, "windowSeconds", 2));
    long mid = awaitWindowOffset(vertx, redis, 2000, 1000);
    assertEquals(10, admitted(checks(limiter, "/x", 10)));
    // 0.2 s into the next window the previous one still weighs 0.9: 9 of 10 used, and the weight falls by
    // 0.5 a second, one more request every 0.2 s. A fixed window would admit all 10 here.
    long start = mid + 1_200_000;
    awaitRedisTime(vertx, redis, start);
    long admitted = admitted(checks(limiter, "/x", 10));
    double late = (redisMicros(redis) - start) / 1e6;
    assertTrue(admitted >= 1 && admitted <= 1 + 5 * late + 1e-9, admitted + " admitted " + late + " s late");
    Decision rejected = check(limiter, "/x");
    assertFalse(rejected.admitted());
    assertTrue(rejected.retryAfterMillis() > 0 && rejected.retryAfterMillis() <= 2000);
    awaitRedisTime(vertx, redis, redisMicros(redis) + rejected.retryAfterMillis() * 1000);
    assertTrue(check(limiter, "/x").admitted());
  }

  @Test
  void quotaResetsAtTheEndOfTheUtcDayAndMonth() {
    for (String period : List.of("day", "month")) {
      RateLimiter limiter = limiter(policy("q-" + period, "quota", "limit", 3, "period", period));
      assertEquals(List.of(2L, 1L, 0L), checks(limiter, "/x", 3).stream().map(Decision::remaining).toList());
      long now = redisMicros(redis);
      Decision rejected = check(limiter, "/x");
      assertFalse(rejected.admitted());
      assertTrue(rejected.quotaExceeded());
      assertEquals(Decision.QUOTA_EXCEEDED, rejected.reason());
      long end = QuotaPeriod.end(now / 1_000_000, Period.valueOf(period.toUpperCase())) * 1000;
      assertEquals(end - now / 1000, rejected.retryAfterMillis(), 2000.0, "retry at the period's end, " + period);
    }
  }

  @Test
  void peekReportsWithoutConsuming() {
    RateLimiter limiter = limiter(policy("fw", "fixed-window", "limit", 2, "windowSeconds", 3600));
    for (int i = 0; i < 5; i++) {
      Decision d = await(limiter.peek(request("/x", "192.0.2.1")));
      assertFalse(d.degraded());
      assertTrue(d.admitted());
      assertEquals(2, d.remaining());
    }
    assertEquals(1, check(limiter, "/x").remaining());
  }

  @Test
  void everyKeyExpires() {
    JsonObject limits = limitsJson(
        policy("a", "token-bucket", "rate", 1, "burst", 5),
        policy("b", "gcra", "limit", 5, "windowSeconds", 60),
        policy("c", "fixed-window", "limit", 5, "windowSeconds", 60),
        policy("d", "sliding-window-log", "limit", 5, "windowSeconds", 60),
        policy("e", "sliding-window-counter", "limit", 5, "windowSeconds", 60),
        policy("f", "quota", "limit", 5, "period", "month"));
    RateLimiter limiter = RateLimiter.create(redis, limits(limits), null);
    checks(limiter, "/x", 3);
    Response keys = await(redis.send(Request.cmd(Command.KEYS).arg(limits.getString("keyPrefix") + ":*")));
    assertEquals(6, keys.size());
    for (Response key : keys) {
      long ttl = await(redis.send(Request.cmd(Command.PTTL).arg(key.toString()))).toLong();
      assertTrue(ttl > 0, key + " has a TTL");
    }
  }

  @Test
  void theScriptCanBePreloaded() {
    RateLimiter limiter = limiter(policy("fw", "fixed-window", "limit", 2, "windowSeconds", 60));
    await(limiter.loadScript());
    Response exists = await(redis.send(Request.cmd(Command.SCRIPT).arg("EXISTS").arg(LimitScript.evaluate().sha())));
    assertEquals(1, exists.get(0).toInteger());
  }

  @Test
  void disabledAdmitsEverything() {
    RateLimiter limiter = limiter(policy("fw", "fixed-window", "limit", 1, "windowSeconds", 60));
    limiter.update(limits(limitsJson(policy("fw", "fixed-window", "limit", 1, "windowSeconds", 60)).put("enabled", false)));
    List<Decision> all = checks(limiter, "/x", 3);
    assertEquals(3, admitted(all));
    assertFalse(all.get(0).limited());
  }

  @Test
  void updateSwapsPoliciesAtRuntime() {
    JsonObject limits = limitsJson(policy("fw", "fixed-window", "limit", 2, "windowSeconds", 3600));
    RateLimiter limiter = RateLimiter.create(redis, limits(limits), null);
    assertEquals(2, admitted(checks(limiter, "/x", 3)));
    limits.put("policies", new JsonArray().add(policy("fw", "fixed-window", "limit", 4, "windowSeconds", 3600)));
    limiter.update(limits(limits));
    assertEquals(2, admitted(checks(limiter, "/x", 3)), "same counter, new limit");
    assertEquals(4, ((RateLimitPolicy.FixedWindow) limiter.config().policies().get(0)).limit());
  }
}
