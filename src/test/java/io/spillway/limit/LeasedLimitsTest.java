package io.spillway.limit;

import io.spillway.testkit.Await;
import io.spillway.testkit.RedisProcess;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.List;

import static io.spillway.limit.LimitTesting.await;
import static io.spillway.limit.LimitTesting.limitsOf;
import static io.spillway.limit.LimitTesting.policy;
import static io.spillway.limit.LimitTesting.request;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Leased mode on two nodes (two limiters, one Redis): most requests are decided without a Redis trip, and the
 * count stays within the documented bound of exact mode plus or minus nodes x lease size. The Redis server is
 * the test's own, so its command statistics count only these limiters' script calls.
 */
class LeasedLimitsTest {
  private static final int NODES = 2;
  private static final int BURST = 100;
  private static final int LEASE = 10;
  private static Vertx vertx;
  private static RedisProcess server;
  private static Redis redis;

  @BeforeAll
  static void start() {
    vertx = Vertx.vertx();
    server = RedisProcess.started(vertx);
    redis = Redis.createClient(vertx, server.uri());
  }

  @AfterAll
  static void stop() {
    redis.close();
    server.close();
    vertx.close().await();
  }

  @Test
  void twoNodesAdmitWithinTheBoundAndMostlyWithoutRedis() {
    // A bucket that does not refill during the test: exact mode would admit exactly BURST.
    var config = limitsOf(policy("leased", "token-bucket", "rate", 0.001, "burst", BURST, "key", List.of("ip"),
        "leaseSize", LEASE, "leaseTtlMs", 60_000));
    RateLimiter a = RateLimiter.create(redis, config, null);
    RateLimiter b = RateLimiter.create(redis, config, null);
    long scriptsBefore = scriptCalls();

    int admitted = 0;
    int requests = 3 * BURST;
    for (int i = 0; i < requests; i++) {
      RateLimiter node = i % 2 == 0 ? a : b;
      if (onEventLoop(() -> node.check(request("/v1/x", "203.0.113.9"))).admitted()) {
        admitted++;
      }
    }
    long scripts = scriptCalls() - scriptsBefore;

    assertTrue(admitted <= BURST + NODES * LEASE && admitted >= BURST - NODES * LEASE,
        "admitted " + admitted + ", allowed " + BURST + " +/- " + NODES * LEASE);
    assertTrue(scripts <= BURST / LEASE + 2 * NODES + requests / 20,
        requests + " requests took " + scripts + " Redis script calls");
  }

  @Test
  void aBurstOfOneClientIsRefusedOnlyWhenItsPolicyIsSpent() {
    var config = limitsOf(policy("bursty", "token-bucket", "rate", 0.001, "burst", 100, "key", List.of("ip"),
        "leaseSize", 10, "leaseTtlMs", 60_000));
    RateLimiter node = RateLimiter.create(redis, config, null);
    Promise<List<Decision>> done = Promise.promise();
    // 150 checks of one client at once: they all wait on fetches of 10 units, and each is refused only when
    // Redis has nothing left to lease.
    vertx.runOnContext(v -> {
      List<Future<Decision>> all = new java.util.ArrayList<>();
      for (int i = 0; i < 150; i++) {
        all.add(node.check(request("/v1/x", "203.0.113.11")));
      }
      Future.all(all).onComplete(ar -> done.complete(all.stream().map(Future::result).toList()));
    });
    List<Decision> decisions = await(done.future());
    assertEquals(100, decisions.stream().filter(Decision::admitted).count(), "the whole burst, and no more");
  }

  @Test
  void aSpentPolicyRefusesWithRedisRetryTime() {
    var config = limitsOf(policy("small", "token-bucket", "rate", 1, "burst", 5, "key", List.of("ip"),
        "leaseSize", 5, "leaseTtlMs", 60_000));
    RateLimiter node = RateLimiter.create(redis, config, null);
    for (int i = 0; i < 5; i++) {
      assertTrue(onEventLoop(() -> node.check(request("/v1/x", "203.0.113.10"))).admitted());
    }
    Decision refused = onEventLoop(() -> node.check(request("/v1/x", "203.0.113.10")));
    assertFalse(refused.admitted());
    assertEquals("small", refused.rejectedBy());
    assertEquals(1, refused.retryAfterSeconds(), "one token comes back after a second");
  }

  @Test
  void unspentUnitsOfADroppedLeaseGoBackToThePolicy() {
    // A daily quota leased 20 at a time: one request must cost the client one unit, not the 20 its node took.
    var leased = limitsOf(policy("daily", "quota", "limit", 100, "period", "day", "key", List.of("ip"),
        "leaseSize", 20, "leaseTtlMs", 10));
    var exact = sameKeys(leased, policy("daily", "quota", "limit", 100, "period", "day", "key", List.of("ip")));
    RateLimiter node = RateLimiter.create(redis, leased, null);
    RateLimiter observer = RateLimiter.create(redis, exact, null);
    String client = "203.0.113.12";

    assertTrue(onEventLoop(() -> node.check(request("/v1/x", client))).admitted());
    assertEquals(80, onEventLoop(() -> observer.peek(request("/v1/x", client))).remaining(),
        "the node holds a lease of 20 while it may spend it");
    Await.until("the unspent 19 units are given back", java.time.Duration.ofSeconds(10), () -> {
      onEventLoop(() -> node.refundDroppedLeases().map(v -> Decision.unlimited()));
      return onEventLoop(() -> observer.peek(request("/v1/x", client))).remaining() == 99;
    });
  }

  @Test
  void aStoppingNodeReturnsItsLeases() {
    var leased = limitsOf(policy("bucket", "token-bucket", "rate", 0.001, "burst", 50, "key", List.of("ip"),
        "leaseSize", 10, "leaseTtlMs", 60_000));
    var exact = sameKeys(leased, policy("bucket", "token-bucket", "rate", 0.001, "burst", 50, "key", List.of("ip")));
    RateLimiter node = RateLimiter.create(redis, leased, null);
    RateLimiter observer = RateLimiter.create(redis, exact, null);
    String client = "203.0.113.13";
    for (int i = 0; i < 3; i++) {
      assertTrue(onEventLoop(() -> node.check(request("/v1/x", client))).admitted());
    }
    assertEquals(40, onEventLoop(() -> observer.peek(request("/v1/x", client))).remaining());
    onEventLoop(() -> node.returnLeases().map(v -> Decision.unlimited()));
    assertEquals(47, onEventLoop(() -> observer.peek(request("/v1/x", client))).remaining(),
        "only the 3 spent tokens stay taken");
  }

  @Test
  void aLeaseGivenAsAShareIsThatShareOfThePolicy() {
    // 2% of a quota of 1,000 is a lease of 20; the same share of a quota ten times larger, 200.
    for (int limit : new int[] {1_000, 10_000}) {
      var leased = limitsOf(policy("share" + limit, "quota", "limit", limit, "period", "day", "key", List.of("ip"),
          "leaseSize", "2%", "leaseTtlMs", 60_000));
      var exact = sameKeys(leased, policy("share" + limit, "quota", "limit", limit, "period", "day",
          "key", List.of("ip")));
      RateLimiter node = RateLimiter.create(redis, leased, null);
      RateLimiter observer = RateLimiter.create(redis, exact, null);
      String client = "203.0.113.14";
      assertTrue(onEventLoop(() -> node.check(request("/v1/x", client))).admitted());
      assertEquals(limit - limit / 50, onEventLoop(() -> observer.peek(request("/v1/x", client))).remaining(),
          "the node took a lease of 2% of " + limit);
    }
  }

  @Test
  void policiesOnOneClientSpendTheirOwnLeasesAcrossAReloadThatReordersThem() {
    var tight = policy("tight", "token-bucket", "rate", 0.001, "burst", 4, "key", List.of("ip"),
        "leaseSize", 2, "leaseTtlMs", 60_000);
    var loose = policy("loose", "token-bucket", "rate", 0.001, "burst", 100, "key", List.of("ip"),
        "leaseSize", 50, "leaseTtlMs", 60_000);
    var json = LimitTesting.limitsJson(tight, loose);
    RateLimiter node = RateLimiter.create(redis, LimitTesting.limits(json), null);
    String client = "203.0.113.15";
    for (int i = 0; i < 4; i++) {
      assertTrue(onEventLoop(() -> node.check(request("/v1/x", client))).admitted());
    }
    // The same policies, listed the other way round: each still spends what it leased, so the spent one
    // goes on refusing although the other's lease, now first in the list, has units left.
    node.update(LimitTesting.limits(json.copy().put("policies", new JsonArray(List.of(loose, tight)))));
    Decision refused = onEventLoop(() -> node.check(request("/v1/x", client)));
    assertFalse(refused.admitted());
    assertEquals("tight", refused.rejectedBy());
  }

  @Test
  void aPolicyKeyedByClientAndRouteLeasesPerRoute() {
    var config = limitsOf(policy("per-route", "token-bucket", "rate", 0.001, "burst", 3, "key",
        List.of("ip", "route"), "leaseSize", 3, "leaseTtlMs", 60_000));
    RateLimiter node = RateLimiter.create(redis, config, null);
    String client = "203.0.113.16";
    for (int i = 0; i < 3; i++) {
      assertTrue(onEventLoop(() -> node.check(request("/v1/a", client))).admitted());
    }
    assertFalse(onEventLoop(() -> node.check(request("/v1/a", client))).admitted(), "route /v1/a is spent");
    assertTrue(onEventLoop(() -> node.check(request("/v1/b", client))).admitted(), "route /v1/b has its own");
  }

  @Test
  void onlyPoliciesThatCanBeSpentAheadMayLease() {
    var tooBig = org.junit.jupiter.api.Assertions.assertThrows(io.spillway.config.ConfigException.class,
        () -> limitsOf(policy("big", "token-bucket", "rate", 1, "burst", 5, "leaseSize", 6)));
    assertEquals("limits.policies[0].leaseSize: 6 is more than the policy holds (5)", tooBig.getMessage());
    for (String share : List.of("0%", "101%", "ten%", "10", "-5%")) {
      var bad = org.junit.jupiter.api.Assertions.assertThrows(io.spillway.config.ConfigException.class,
          () -> limitsOf(policy("b", "token-bucket", "rate", 1, "burst", 5, "leaseSize", share)));
      assertTrue(bad.getMessage().startsWith("limits.policies[0].leaseSize: must be a number of units or a share "
          + "such as \"10%\""), share + ": " + bad.getMessage());
    }
    var sliding = org.junit.jupiter.api.Assertions.assertThrows(io.spillway.config.ConfigException.class,
        () -> limitsOf(policy("s", "sliding-window-log", "limit", 5, "windowSeconds", 60, "leaseSize", 2)));
    assertTrue(sliding.getMessage().startsWith("limits.policies[0].leaseSize: is not available for algorithm "
        + "sliding-window-log"), sliding.getMessage());
  }

  /** {@code policy} in exact mode, on the same Redis keys as {@code leased}: it sees what the leases took. */
  private static io.spillway.config.LimitsConfig sameKeys(io.spillway.config.LimitsConfig leased,
                                                           io.vertx.core.json.JsonObject policy) {
    return LimitTesting.limits(LimitTesting.limitsJson(policy).put("keyPrefix", leased.keyPrefix()));
  }

  private static Decision onEventLoop(java.util.function.Supplier<Future<Decision>> check) {
    Promise<Decision> done = Promise.promise();
    vertx.runOnContext(v -> check.get().onComplete(done));
    return await(done.future());
  }

  private static long scriptCalls() {
    String info = await(redis.send(Request.cmd(Command.INFO).arg("commandstats"))).toString();
    long calls = 0;
    for (String line : info.split("\r?\n")) {
      if (line.startsWith("cmdstat_evalsha:") || line.startsWith("cmdstat_eval:")) {
        calls += Long.parseLong(line.replaceAll("^cmdstat_evals?h?a?:calls=(\\d+),.*$", "$1"));
      }
    }
    return calls;
  }
}
