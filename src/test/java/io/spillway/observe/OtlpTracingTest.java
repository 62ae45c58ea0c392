package io.spillway.observe;

import io.spillway.testkit.AccessLogCapture;
import io.spillway.testkit.ApiClient;
import io.spillway.testkit.Await;
import io.spillway.testkit.Ports;
import io.spillway.testkit.ShardDb;
import io.spillway.testkit.SpillwayApp;
import io.spillway.data.ShardRouter;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * With an OTLP endpoint the OpenTelemetry tracer records spans; the client's trace still reaches the access
 * log and the outbox event (through the tracer's own propagation, not the lightweight one).
 */
class OtlpTracingTest {
  @RegisterExtension
  static SpillwayApp app = SpillwayApp.create().withoutKafka().configure(tree -> tree.put("tracing", new JsonObject()
      .put("enabled", true).put("sampleRatio", 1.0)
      .put("otlpEndpoint", "http://127.0.0.1:" + Ports.free() + "/v1/traces")));

  @Test
  void theClientsTraceContinuesThroughTheRecordingTracer() {
    ApiClient api = new ApiClient(app.client());
    ApiClient.User u = api.newUser("otlp");
    String traceId = "4bf92f3577b34da6a3ce929d0e0e4736";
    try (AccessLogCapture log = AccessLogCapture.of("spillway.access")) {
      assertEquals(201, Await.result(app.client().post("/v1/posts").putHeader("Authorization", "Bearer " + u.token())
          .putHeader("traceparent", "00-" + traceId + "-00f067aa0ba902b7-01").putHeader("X-Request-Id", "otlp-1")
          .sendJsonObject(new JsonObject().put("text", "recorded"))).statusCode());
      JsonObject line = Await.untilPresent("the access log line", Duration.ofSeconds(5),
          () -> log.forRequest("otlp-1").orElse(null));
      assertEquals(traceId, line.getString("traceId"));
    }
    long userId = Long.parseLong(u.id());
    try (ShardDb db = new ShardDb(app.databases().get(new ShardRouter(app.config().data()).physicalOfId(userId)))) {
      JsonObject event = (JsonObject) db.query("SELECT event FROM outbox WHERE channel = $1", "posts:" + u.id())
          .get(0).getValue("event");
      assertTrue(event.getString("traceparent").startsWith("00-" + traceId + "-"), event.encode());
    }
  }
}
