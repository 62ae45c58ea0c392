package io.spillway.push;

import io.spillway.testkit.ApiClient;
import io.spillway.testkit.Await;
import io.spillway.testkit.Ports;
import io.spillway.testkit.RedisProcess;
import io.spillway.testkit.SpillwayApp;
import io.spillway.testkit.StreamClient;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Channel history in a Redis of its own ({@code stream.history.redisUri}): the history lands there, not in
 * the limiter's Redis. And a history Redis that hangs (stopped, its connections open) costs the live push
 * nothing but a bounded wait: every event still arrives, and history writes go on once it answers again.
 */
class HistoryRedisTest {
  private static final Vertx VERTX = Vertx.vertx();
  private static final RedisProcess HISTORY = new RedisProcess(Ports.free());

  @RegisterExtension
  @Order(1)
  static BeforeAllCallback startHistory = ctx -> HISTORY.start(VERTX);

  @RegisterExtension
  @Order(2)
  static SpillwayApp app = SpillwayApp.create().configure(tree -> {
    tree.getJsonObject("redis").put("timeoutMs", 300);
    tree.getJsonObject("stream").put("history", new JsonObject().put("redisUri", HISTORY.uri()));
  });

  @AfterAll
  static void stopHistory() {
    HISTORY.close();
    VERTX.close().await();
  }

  @Test
  void historyLivesInItsOwnRedisAndAHungOneDoesNotStopThePush() {
    ApiClient api = new ApiClient(app.client());
    ApiClient.User author = api.newUser("historian");
    ApiClient.User reader = api.newUser("listener");
    String channel = "posts:" + author.id();
    Redis history = Redis.createClient(VERTX, HISTORY.uri());
    Redis main = Redis.createClient(VERTX, "redis://" + SpillwayApp.REDIS_HOST + ":" + SpillwayApp.REDIS_PORT + "/"
        + app.redisDb());
    try (StreamClient c = StreamClient.connect(app.clientVertx(), app.port(), reader.token())) {
      c.subscribe(channel);
      api.post(author, "first");
      c.awaitEvents(channel, 1);
      String key = ChannelHistory.key(channel);
      Await.until("the event in the history Redis", StreamClient.DEADLINE,
          () -> Await.result(history.send(Request.cmd(Command.XLEN).arg(key))).toInteger() == 1);
      assertEquals(0, Await.result(main.send(Request.cmd(Command.EXISTS).arg(key))).toInteger(),
          "nothing of it in the limiter's Redis");

      HISTORY.pause();
      List<String> during = new ArrayList<>();
      try {
        for (int i = 0; i < 3; i++) {
          during.add(api.post(author, "while history hangs " + i).getString("id"));
        }
        c.awaitEvents(channel, 4);
      } finally {
        HISTORY.resume();
      }
      api.post(author, "after");
      c.awaitEvents(channel, 5);
      Await.until("history written again", StreamClient.DEADLINE,
          () -> Await.result(history.send(Request.cmd(Command.XLEN).arg(key))).toInteger() >= 2);
    } finally {
      history.close();
      main.close();
    }
  }
}
