package io.spillway.push;

import io.spillway.testkit.ApiClient;
import io.spillway.testkit.Await;
import io.spillway.testkit.Scrape;
import io.spillway.testkit.ShardDb;
import io.spillway.testkit.SpillwayApp;
import io.spillway.testkit.StreamClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.List;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A client that stops reading is closed once its outbound buffer is full; the others keep receiving. */
class SlowConsumerTest {
  private static final int EVENTS = 400;

  @RegisterExtension
  static SpillwayApp app = SpillwayApp.create().configure(tree -> {
    tree.getJsonObject("kafka").put("topic", "events-" + UUID.randomUUID());
    tree.getJsonObject("stream").put("maxOutboundBytes", 16 * 1024);
  });

  @Test
  void aClientThatStopsReadingIsClosedWhileOthersKeepReceiving() {
    ApiClient api = new ApiClient(app.client());
    ApiClient.User author = api.newUser("firehose");
    ApiClient.User reader = api.newUser("reader");
    String channel = "posts:" + author.id();
    Scrape before = Scrape.of(app.client(), app.managementPort());
    try (StreamClient fast1 = StreamClient.connect(app.clientVertx(), app.port(), reader.token());
         StreamClient fast2 = StreamClient.connect(app.clientVertx(), app.port(), reader.token());
         // A small receive window, so the kernel buffers little of what the server sends it.
         StreamClient slow = StreamClient.connect(app.clientVertx(), app.port(), reader.token(),
             new WebSocketClientOptions().setReceiveBufferSize(4096))) {
      for (StreamClient c : List.of(fast1, fast2, slow)) {
        c.subscribe(channel);
      }
      slow.socket().pause();

      // ~6 MiB of events, far more than the socket buffers and the 16 KiB outbound limit hold.
      try (ShardDb shard = new ShardDb(app.databases().get(1))) {
        shard.query("INSERT INTO outbox (topic, channel, event) SELECT $1, $2, jsonb_build_object('id', "
            + "gen_random_uuid()::text, 'type', 'test.bulk', 'channel', $2, 'data', "
            + "jsonb_build_object('n', g, 'blob', repeat('x', 16000))) FROM generate_series(1, " + EVENTS + ") g",
            app.config().kafka().topic(), channel);
      }
      assertEquals(EVENTS, fast1.awaitEvents(channel, EVENTS).size());
      assertEquals(EVENTS, fast2.awaitEvents(channel, EVENTS).size());

      slow.socket().resume();
      short code = Await.result(slow.closed());
      assertEquals(StreamSession.CLOSE_SLOW_CONSUMER, code);
      assertTrue(slow.events(channel).size() < EVENTS, "the slow client was cut off, not fed everything");
      assertTrue(slow.socket().closeReason().startsWith("slow consumer"), slow.socket().closeReason());
      String slowClosed = "reason=\"slow-consumer\"";
      Scrape after = Scrape.of(app.client(), app.managementPort());
      assertTrue(after.has("spillway_ws_closed_total", slowClosed));
      assertEquals(1, after.value("spillway_ws_closed_total", slowClosed)
          - before.value("spillway_ws_closed_total", slowClosed), "the one slow client's close is counted");

      // The fast clients' connections are unaffected.
      fast1.ping();
      fast2.ping();
      String postId = api.post(author, "still flowing").getString("id");
      JsonObject more = fast1.awaitEvents(channel, EVENTS + 1).get(EVENTS);
      assertEquals(postId, more.getJsonObject("event").getJsonObject("data").getString("postId"));
    }
  }
}
