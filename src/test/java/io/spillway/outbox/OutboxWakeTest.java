package io.spillway.outbox;

import io.spillway.Spillway;
import io.spillway.data.ShardRouter;
import io.spillway.testkit.ApiClient;
import io.spillway.testkit.ShardDb;
import io.spillway.testkit.SpillwayApp;
import io.spillway.testkit.StreamClient;
import io.spillway.testkit.TestHttp;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClientOptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The relay is woken without a NOTIFY per commit: the outbox has no trigger, and with the relay's polls
 * ten minutes apart a post still reaches Kafka (and a subscriber) at once, whether it was written on the node
 * whose relay drains its shard (woken in-process) or on another node (which notifies that relay).
 */
class OutboxWakeTest {
  @RegisterExtension
  static SpillwayApp app = SpillwayApp.create().configure(tree -> {
    tree.getJsonObject("kafka").put("topic", "events-" + UUID.randomUUID());
    // No poll for ten minutes, not even after a pass that moved rows: only a wake-up can move an event.
    tree.put("outbox", new JsonObject().put("pollIntervalMs", 600_000).put("minPollIntervalMs", 600_000));
  });

  @Test
  void postsReachKafkaWithoutANotifyTriggerFromEitherNode() throws Exception {
    ApiClient api = new ApiClient(app.client());
    ApiClient.User author = api.newUser("author");
    ApiClient.User reader = api.newUser("reader");
    String channel = "posts:" + author.id();
    String db = app.databases().get(new ShardRouter(app.config().data()).physicalOfId(Long.parseLong(author.id())));
    try (ShardDb shard = new ShardDb(db)) {
      assertEquals(0, shard.count("SELECT count(*) FROM pg_trigger WHERE tgrelid = 'outbox'::regclass AND NOT tgisinternal"),
          "no trigger on the outbox");
    }
    Spillway second = app.startSecondNode();
    try (StreamClient c = StreamClient.connect(app.clientVertx(), app.port(), reader.token())) {
      c.subscribe(channel);
      String first = api.post(author, "written on the first node").getString("id");
      assertEquals(first, c.awaitEvents(channel, 1).get(0).getJsonObject("event").getJsonObject("data").getString("postId"));

      // The first node's relays hold both shards: the second node's write reaches them by its notification.
      ApiClient onSecond = new ApiClient(TestHttp.client(app.clientVertx(), new WebClientOptions()
          .setDefaultHost("127.0.0.1").setDefaultPort(second.config().http().port())).web());
      String other = onSecond.post(author, "written on the second node").getString("id");
      assertEquals(other, c.awaitEvents(channel, 2).get(1).getJsonObject("event").getJsonObject("data").getString("postId"));
    } finally {
      second.stop().await(30, TimeUnit.SECONDS);
    }
  }
}
