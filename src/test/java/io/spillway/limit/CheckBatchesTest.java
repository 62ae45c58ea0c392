package io.spillway.limit;

import io.spillway.config.LimitsConfig;
import io.spillway.testkit.Await;
import io.spillway.testkit.RedisProcess;
import io.vertx.core.Future;
import io.vertx.core.Promise;
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
import java.util.stream.LongStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Checks made in one event-loop turn share one script call, and the limit stays exact. The script calls are
 * counted by a Redis of the test's own: on a shared one, other clients' scripts would be counted too.
 */
class CheckBatchesTest {
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
  void aBurstOnOneEventLoopIsDecidedExactlyWithFewerScriptCalls() {
    LimitsConfig config = LimitTesting.limits(new JsonObject().put("keyPrefix", "batch-test")
        .put("policies", new JsonArray().add(new JsonObject().put("name", "window").put("algorithm", "fixed-window")
            .put("limit", 100).put("windowSeconds", 3600).put("key", new JsonArray().add("ip")))));
    RateLimiter limiter = RateLimiter.create(redis, config, null);
    long before = evalshaCalls();
    Promise<List<Decision>> done = Promise.promise();
    vertx.runOnContext(v -> {
      List<Future<Decision>> all = new ArrayList<>();
      for (int i = 0; i < 250; i++) {
        all.add(limiter.check(new RequestInfo("GET", "/v1/x", "/v1/x", "10.0.0.1", null, null, null)));
      }
      Future.all(all).onComplete(ar -> done.complete(all.stream().map(Future::result).toList()));
    });
    List<Decision> decisions = Await.result(done.future());
    long calls = evalshaCalls() - before;
    assertEquals(100, decisions.stream().filter(Decision::admitted).count(), "exactly the limit");
    assertEquals(150, decisions.stream().filter(d -> !d.admitted()).count());
    List<Long> remaining = decisions.stream().filter(Decision::admitted).map(Decision::remaining).toList();
    assertEquals(LongStream.range(0, 100).map(i -> 99 - i).boxed().toList(), remaining,
        "each remaining value 99..0 is reported once, in the order the checks were made");
    assertTrue(decisions.subList(0, 100).stream().allMatch(Decision::admitted), "the first 100 checks are the admitted ones");
    assertTrue(calls <= 3, "250 checks in one turn should take a few script calls (batches of 128), took " + calls);
  }

  private static long evalshaCalls() {
    String info = Await.result(redis.send(Request.cmd(Command.INFO).arg("commandstats"))).toString();
    for (String line : info.split("\r?\n")) {
      if (line.startsWith("cmdstat_evalsha:")) {
        return Long.parseLong(line.replaceAll("^cmdstat_evalsha:calls=(\\d+),.*$", "$1"));
      }
    }
    return 0;
  }
}
