package io.spillway.limit;

import io.spillway.testkit.RedisProcess;
import io.spillway.testkit.Ports;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisClientType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static io.spillway.limit.LimitTesting.await;
import static io.spillway.limit.LimitTesting.limits;
import static io.spillway.limit.LimitTesting.limitsJson;
import static io.spillway.limit.LimitTesting.policy;
import static io.spillway.limit.LimitTesting.redisConfig;
import static io.spillway.limit.LimitTesting.request;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** On a real (one-node) Redis Cluster, which refuses a script whose keys are in different hash slots. */
class ClusterModeTest {
  private static Vertx vertx;
  private static RedisProcess cluster;
  private static Redis client;

  @BeforeAll
  static void start() {
    vertx = Vertx.vertx();
    cluster = new RedisProcess(Ports.free(), true);
    cluster.start(vertx);
    client = Redis.createClient(vertx, RateLimiter.redisOptions(redisConfig(cluster.uri())).setType(RedisClientType.CLUSTER));
  }

  @AfterAll
  static void stop() {
    cluster.close();
    await(vertx.close());
  }

  private static Decision check(RateLimiter limiter, RequestInfo info) {
    Decision d = await(limiter.check(info));
    assertFalse(d.degraded(), "decided by Redis");
    return d;
  }

  @Test
  void policiesKeyedFirstByTheSameSubjectShareOneScript() {
    RateLimiter limiter = RateLimiter.create(client, limits(limitsJson(
        policy("per-user", "fixed-window", "limit", 100, "windowSeconds", 3600, "key", new JsonArray().add("user")),
        policy("per-user-route", "sliding-window-log", "limit", 20, "windowSeconds", 3600,
            "key", new JsonArray().add("user").add("route")))), null);
    RequestInfo alice = new RequestInfo("GET", "/v1/feed", "/v1/feed", "192.0.2.1", "alice", null, null);
    List<Future<Decision>> all = new ArrayList<>();
    for (int i = 0; i < 80; i++) {
      all.add(limiter.check(alice));
    }
    await(Future.all(all));
    assertEquals(20, all.stream().map(Future::result).filter(Decision::admitted).count());
    assertTrue(all.stream().map(Future::result).noneMatch(Decision::degraded));
  }

  @Test
  void differentSubjectsAreEvaluatedPerSlotEvenWhenNotToldItIsACluster() {
    JsonObject json = limitsJson(
        policy("per-ip", "fixed-window", "limit", 1000, "windowSeconds", 3600),
        policy("per-user", "token-bucket", "rate", 0.001, "burst", 3, "key", new JsonArray().add("user")));
    assertFalse(json.containsKey("cluster"));
    RateLimiter limiter = RateLimiter.create(client, limits(json), null);
    RequestInfo alice = new RequestInfo("GET", "/x", "/x", "192.0.2.2", "alice", null, null);
    int admitted = 0;
    for (int i = 0; i < 6; i++) {
      admitted += check(limiter, alice).admitted() ? 1 : 0;
    }
    assertEquals(3, admitted);
    Decision perIp = await(limiter.peek(request("/x", "192.0.2.2")));
    assertFalse(perIp.degraded());
    assertEquals(997, perIp.remaining(), "the rejected requests consumed nothing from per-ip");
  }
}
