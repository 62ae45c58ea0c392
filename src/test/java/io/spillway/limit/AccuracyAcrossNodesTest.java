package io.spillway.limit;

import io.spillway.config.LimitsConfig;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
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
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.LongStream;

import static io.spillway.limit.LimitTesting.await;
import static io.spillway.limit.LimitTesting.awaitRedisTime;
import static io.spillway.limit.LimitTesting.limits;
import static io.spillway.limit.LimitTesting.limitsJson;
import static io.spillway.limit.LimitTesting.policy;
import static io.spillway.limit.LimitTesting.redisConfig;
import static io.spillway.limit.LimitTesting.redisMicros;
import static io.spillway.limit.LimitTesting.request;
import static io.spillway.limit.LimitTesting.route;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Two nodes (two Vertx instances, each with its own limiter and Redis client) share one Redis and are hammered
 * at once, far beyond the Redis client's default pool: together they must admit exactly the limit.
 */
class AccuracyAcrossNodesTest {
  private static final int PER_NODE = 150;
  private static final int CONTEXTS = 4;

  private static Vertx nodeA;
  private static Vertx nodeB;
  private static Redis redis;

  @BeforeAll
  static void start() {
    nodeA = Vertx.vertx();
    nodeB = Vertx.vertx();
    redis = LimitTesting.flushedRedis(nodeA);
  }

  @AfterAll
  static void stop() {
    await(nodeA.close());
    await(nodeB.close());
  }

  private record Node(Vertx vertx, RateLimiter limiter) {}

  private static List<Node> nodes(LimitsConfig config) {
    return List.of(
        new Node(nodeA, RateLimiter.create(nodeA, redisConfig(LimitTesting.REDIS_URI), config, null)),
        new Node(nodeB, RateLimiter.create(nodeB, redisConfig(LimitTesting.REDIS_URI), config, null)));
  }

  /** {@code n} checks on each node, all in flight together, spread over several event loops per node. */
  private static List<Decision> hammer(List<Node> nodes, int n, RequestInfo info) {
    List<Future<Decision>> all = new ArrayList<>();
    List<Runnable> fire = new ArrayList<>();
    for (Node node : nodes) {
      for (int c = 0; c < CONTEXTS; c++) {
        Context context = node.vertx().getOrCreateContext();
        List<Promise<Decision>> promises = new ArrayList<>();
        for (int i = c; i < n; i += CONTEXTS) {
          Promise<Decision> p = Promise.promise();
          promises.add(p);
          all.add(p.future());
        }
        fire.add(() -> context.runOnContext(v -> promises.forEach(p -> node.limiter().check(info).onComplete(p))));
      }
    }
    fire.forEach(Runnable::run);
    await(Future.all(all));
    List<Decision> decisions = all.stream().map(Future::result).toList();
    assertTrue(decisions.stream().noneMatch(Decision::degraded), "every decision came from Redis");
    return decisions;
  }

  private static long admitted(List<Decision> decisions) {
    return decisions.stream().filter(Decision::admitted).count();
  }

  private static void close(List<Node> nodes) {
    nodes.forEach(n -> await(n.limiter().close()));
  }

  /** Hour-aligned windows: make sure this test does not straddle an hour boundary. */
  private static void awayFromTheHourBoundary() {
    long now = redisMicros(redis);
    long hour = 3_600_000_000L;
    if (hour - now % hour < 30_000_000L) {
      awaitRedisTime(nodeA, redis, (now / hour + 1) * hour);
    }
  }

  @Test
  void fixedWindowAndSlidingLogAdmitExactlyTheLimit() {
    awayFromTheHourBoundary();
    for (String algorithm : List.of("fixed-window", "sliding-window-log")) {
      List<Node> nodes = nodes(limits(limitsJson(policy("hundred", algorithm, "limit", 100, "windowSeconds", 3600))));
      List<Decision> decisions = hammer(nodes, PER_NODE, request("/x", "198.51.100.1"));
      assertEquals(100, admitted(decisions), algorithm);
      // Each admission saw its own count: remaining 99..0, each exactly once.
      Set<Long> remaining = decisions.stream().filter(Decision::admitted).map(Decision::remaining)
          .collect(Collectors.toCollection(TreeSet::new));
      assertEquals(LongStream.range(0, 100).boxed().collect(Collectors.toCollection(TreeSet::new)), remaining, algorithm);
      assertTrue(decisions.stream().filter(d -> !d.admitted()).allMatch(d -> d.remaining() == 0 && d.retryAfterSeconds() >= 1));
      close(nodes);
    }
  }

  /**
   * Counts every admission against the bucket's arithmetic, on Redis time. One request costing the whole
   * burst empties the bucket first, so it can never be full (and waste refill) while the nodes hammer it:
   * what they get is exactly the refill, rate x elapsed.
   */
  @Test
  void tokenBucketAdmitsTheBurstPlusTheRateTimesTheElapsedTime() {
    JsonObject json = limitsJson(policy("tb", "token-bucket", "rate", 100, "burst", 200,
        "cost", new JsonObject().put("GET /drain", 200)));
    List<Node> nodes = nodes(limits(json));
    long before = redisMicros(redis);
    assertTrue(await(nodes.get(0).limiter().check(request("/drain", "198.51.100.2"))).admitted(), "the whole burst");
    String key = json.getString("keyPrefix") + ":{ip=198.51.100.2}:tb:token-bucket";
    long drained = (long) Double.parseDouble(await(redis.send(Request.cmd(Command.HGET).arg(key).arg("ts"))).toString());
    RequestInfo info = request("/x", "198.51.100.2");
    long refilled = 0;
    while (redisMicros(redis) - drained < 1_000_000) {
      refilled += admitted(hammer(nodes, 40, info));
    }
    Response state = await(redis.send(Request.cmd(Command.HMGET).arg(key).arg("tokens").arg("ts")));
    double tokensLeft = Double.parseDouble(state.get(0).toString());
    long lastAdmission = (long) Double.parseDouble(state.get(1).toString());
    long after = redisMicros(redis);
    double elapsed = (lastAdmission - drained) / 1e6;
    assertEquals(100 * elapsed - tokensLeft, refilled, 1.0, "rate x elapsed (Redis time), less what is still in the bucket");
    assertTrue(200 + refilled <= 200 + 100 * (after - before) / 1e6 + 1, "never more than burst + rate x elapsed");
    close(nodes);
  }

  @Test
  void aRequestRejectedByOnePolicyConsumesNothingFromTheOthers() {
    List<Node> nodes = nodes(limits(limitsJson(
        policy("wide", "fixed-window", "limit", 1000, "windowSeconds", 3600),
        policy("narrow", "sliding-window-log", "limit", 10, "windowSeconds", 3600,
            "routes", new JsonArray().add(route("/narrow"))),
        policy("bucket", "token-bucket", "rate", 0.001, "burst", 1000))));
    awayFromTheHourBoundary();
    List<Decision> decisions = hammer(nodes, 50, request("/narrow", "198.51.100.3"));
    assertEquals(10, admitted(decisions));
    assertTrue(decisions.stream().filter(d -> !d.admitted()).allMatch(d -> "narrow".equals(d.rejectedBy())));
    Decision wide = await(nodes.get(0).limiter().peek(request("/wide", "198.51.100.3")));
    assertEquals(990, wide.remaining(), "only the 10 admitted requests counted against 'wide' and 'bucket'");
    close(nodes);
  }

  @Test
  void clusterModeEvaluatesPerSlotAndStillConsumesNothingOnReject() {
    JsonObject json = limitsJson(
        policy("per-ip", "fixed-window", "limit", 1000, "windowSeconds", 3600),
        policy("per-user", "fixed-window", "limit", 3, "windowSeconds", 3600, "key", new JsonArray().add("user")))
        .put("cluster", true);
    List<Node> nodes = nodes(limits(json));
    awayFromTheHourBoundary();
    RequestInfo alice = new RequestInfo("GET", "/x", "/x", "198.51.100.4", "alice", null, null);
    int admitted = 0;
    for (int i = 0; i < 8; i++) {
      Decision d = await(nodes.get(i % 2).limiter().check(alice));
      assertFalse(d.degraded());
      admitted += d.admitted() ? 1 : 0;
    }
    assertEquals(3, admitted);
    assertEquals(997, await(nodes.get(0).limiter().peek(request("/x", "198.51.100.4"))).remaining());
    close(nodes);
  }
}
