package io.spillway.observe;

import io.spillway.testkit.AccessLogCapture;
import io.spillway.testkit.EmbeddedKafka;
import io.spillway.testkit.ApiClient;
import io.spillway.testkit.Await;
import io.spillway.testkit.Scrape;
import io.spillway.testkit.SpillwayApp;
import io.spillway.testkit.StreamClient;
import io.spillway.testkit.TopicRecords;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A trace sent with a write continues to the event pushed over WebSocket, through the Kafka record's header
 * (spans are not exported here: the trace travels all the same); the WebSocket metrics move.
 */
class TracedPushTest {
  private static final String TOPIC = "traced-" + UUID.randomUUID();

  @RegisterExtension
  static SpillwayApp app = SpillwayApp.create().configure(tree -> tree.getJsonObject("kafka").put("topic", TOPIC));

  @Test
  void theTraceOfAPostReachesTheAccessLogAndTheSubscriber() {
    ApiClient api = new ApiClient(app.client());
    ApiClient.User author = api.newUser("traced");
    String traceId = "5b8efff798038103d269b633813fc60c";
    Scrape before = Scrape.of(app.client(), app.managementPort());
    try (StreamClient ws = StreamClient.connect(app.clientVertx(), app.port(), author.token());
         AccessLogCapture log = AccessLogCapture.of("spillway.access")) {
      assertEquals("subscribed", ws.subscribe("posts:" + author.id()).getString("op"));
      Scrape subscribed = Scrape.of(app.client(), app.managementPort());
      assertTrue(subscribed.has("spillway_ws_connections") && subscribed.has("spillway_ws_subscriptions"));
      assertEquals(1, delta(before, subscribed, "spillway_ws_connections"), "this socket is counted");
      assertEquals(1, delta(before, subscribed, "spillway_ws_subscriptions"), "and its one subscription");

      assertEquals(201, Await.result(app.client().post("/v1/posts")
          .putHeader("Authorization", "Bearer " + author.token())
          .putHeader("traceparent", "00-" + traceId + "-eee19b7ec3c1b174-01")
          .putHeader("X-Request-Id", "traced-post")
          .sendJsonObject(new JsonObject().put("text", "follow my trace"))).statusCode());

      JsonObject event = ws.awaitEvents("posts:" + author.id(), 1).get(0).getJsonObject("event");
      assertTrue(event.getString("traceparent").startsWith("00-" + traceId + "-"), event.encode());
      JsonObject line = Await.untilPresent("the access log line", Duration.ofSeconds(5),
          () -> log.forRequest("traced-post").orElse(null));
      assertEquals(traceId, line.getString("traceId"));
    }
    String header = new String(TopicRecords.first(EmbeddedKafka.shared().bootstrapServers(), TOPIC,
        "posts:" + author.id(), Duration.ofSeconds(10)).headers().lastHeader("traceparent").value(),
        StandardCharsets.US_ASCII);
    assertTrue(header.startsWith("00-" + traceId + "-"), header);
    Scrape after = Await.untilPresent("the closed socket to leave the gauges", Duration.ofSeconds(10), () -> {
      Scrape now = Scrape.of(app.client(), app.managementPort());
      return delta(before, now, "spillway_ws_connections") == 0 ? now : null;
    });
    assertEquals(0, delta(before, after, "spillway_ws_subscriptions"), "its subscription went with it");
    assertTrue(after.has("spillway_ws_messages_sent_total"));
    assertEquals(1, delta(before, after, "spillway_ws_messages_sent_total"),
        "the one pushed event is counted (the subscribed answer is not an event)");
    assertTrue(delta(before, after, "spillway_push_delay_seconds_count") >= 1,
        "the pushed event's time from commit to the hubs is recorded");
  }

  private static double delta(Scrape before, Scrape after, String name) {
    return after.value(name) - before.value(name);
  }
}
