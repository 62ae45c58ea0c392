package io.spillway.observe;

import io.opentelemetry.proto.trace.v1.Span.SpanKind;
import io.spillway.testkit.ApiClient;
import io.spillway.testkit.Await;
import io.spillway.testkit.OtlpReceiver;
import io.spillway.testkit.SpillwayApp;
import io.spillway.testkit.StreamClient;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.List;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/**
 * With spans exported, a write's trace goes on through Kafka: the relay's publish, the push consumer's handling,
 * the push to the subscriber's hub and the feed fan-out reach the collector as one chain in the client's trace,
 * the consumers continuing from the producer span that the record's header named.
 */
class EventSpansTest {
  private static final String TOPIC = "spans-" + UUID.randomUUID();
  private static final OtlpReceiver collector = OtlpReceiver.start();

  /** Registered first, so it runs after the app has stopped: the node's last export still finds it. */
  @RegisterExtension
  @Order(1)
  static AfterAllCallback stopCollector = ctx -> collector.close();

  @RegisterExtension
  @Order(2)
  static SpillwayApp app = SpillwayApp.create().configure(tree -> {
    tree.getJsonObject("kafka").put("topic", TOPIC);
    tree.put("tracing", new JsonObject().put("enabled", true).put("sampleRatio", 1.0)
        .put("otlpEndpoint", collector.endpoint()));
  });

  @Test
  void theRelayTheConsumerAndThePushRecordSpansInTheClientsTrace() {
    ApiClient api = new ApiClient(app.client());
    ApiClient.User author = api.newUser("spans");
    String traceId = "0af7651916cd43dd8448eb211c80319c";
    String channel = "posts:" + author.id();
    try (StreamClient ws = StreamClient.connect(app.clientVertx(), app.port(), author.token())) {
      assertEquals("subscribed", ws.subscribe(channel).getString("op"));
      assertEquals(201, Await.result(app.client().post("/v1/posts")
          .putHeader("Authorization", "Bearer " + author.token())
          .putHeader("traceparent", "00-" + traceId + "-b7ad6b7169203331-01")
          .sendJsonObject(new JsonObject().put("text", "traced through Kafka"))).statusCode());
      ws.awaitEvents(channel, 1);
    }

    OtlpReceiver.Received push = Await.untilPresent("the push span", Duration.ofSeconds(30),
        () -> span(traceId, "push deliver"));
    OtlpReceiver.Received consumer = Await.untilPresent("the consumer span", Duration.ofSeconds(30),
        () -> span(traceId, "stream consume " + TOPIC));
    OtlpReceiver.Received relay = Await.untilPresent("the relay span", Duration.ofSeconds(30),
        () -> span(traceId, "outbox publish " + TOPIC));

    assertEquals(SpanKind.SPAN_KIND_PRODUCER, relay.kind());
    assertEquals(SpanKind.SPAN_KIND_CONSUMER, consumer.kind());
    assertEquals(SpanKind.SPAN_KIND_INTERNAL, push.kind());
    assertEquals(relay.spanId(), consumer.parentSpanId(), "the consumer continues from the record's header");
    assertEquals(consumer.spanId(), push.parentSpanId(), "the push follows the consumer");
    assertEquals(1, push.longAttribute("spillway.push.deliveries"), "one subscriber, one delivery");
    assertEquals(1, collector.spans().stream()
        .filter(s -> s.traceId().equals(traceId) && s.name().equals("push deliver")).count(),
        "one push span: the node's other hub has no subscriber of the channel");
    assertFalse(relay.parentSpanId().isEmpty(), "the relay span continues the write's trace");

    OtlpReceiver.Received fanOut = Await.untilPresent("the feed fan-out's span", Duration.ofSeconds(30),
        () -> span(traceId, "feed consume " + TOPIC));
    assertEquals(SpanKind.SPAN_KIND_CONSUMER, fanOut.kind());
    assertEquals(relay.spanId(), fanOut.parentSpanId());
  }

  private static OtlpReceiver.Received span(String traceId, String name) {
    List<OtlpReceiver.Received> found = collector.spans().stream()
        .filter(s -> s.traceId().equals(traceId) && s.name().equals(name)).toList();
    return found.isEmpty() ? null : found.get(0);
  }
}
