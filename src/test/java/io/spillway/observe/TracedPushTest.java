package io.spillway.observe;

import io.spillway.testkit.AccessLogCapture;
import io.spillway.testkit.ApiClient;
import io.spillway.testkit.Await;
import io.spillway.testkit.Scrape;
import io.spillway.testkit.SpillwayApp;
import io.spillway.testkit.StreamClient;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A trace sent with a write continues to the event pushed over WebSocket; the WebSocket metrics move. */
class TracedPushTest {
  @RegisterExtension
  static SpillwayApp app = SpillwayApp.create()
      .configure(tree -> tree.getJsonObject("kafka").put("topic", "traced-" + UUID.randomUUID()));

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
      assertTrue(subscribed.value("spillway_ws_connections") >= 1);
      assertTrue(subscribed.value("spillway_ws_subscriptions") >= 1);

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
    Scrape after = Scrape.of(app.client(), app.managementPort());
    assertTrue(after.value("spillway_ws_messages_sent_total") - before.value("spillway_ws_messages_sent_total") >= 1,
        "the pushed frame is counted");
  }
}
