package io.spillway.observe;

import io.spillway.testkit.AccessLogCapture;
import io.spillway.testkit.ApiClient;
import io.spillway.testkit.Await;
import io.spillway.testkit.SpillwayApp;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LogsTest {
  @RegisterExtension
  static SpillwayApp app = SpillwayApp.create().withoutKafka();

  @Test
  void aTraceIdSentInTraceparentAppearsInTheAccessLog() {
    String traceId = "4bf92f3577b34da6a3ce929d0e0e4736";
    try (AccessLogCapture log = AccessLogCapture.of("spillway.access")) {
      HttpResponse<Buffer> r = Await.result(app.client().get("/health/ready")
          .putHeader("traceparent", "00-" + traceId + "-00f067aa0ba902b7-01")
          .putHeader("X-Request-Id", "traced-1").send());
      assertEquals(200, r.statusCode());
      JsonObject line = Await.untilPresent("the access log line", Duration.ofSeconds(5),
          () -> log.forRequest("traced-1").orElse(null));
      assertEquals(traceId, line.getString("traceId"));

      Await.result(app.client().get("/health/ready").putHeader("X-Request-Id", "untraced-1").send());
      JsonObject fresh = Await.untilPresent("the access log line", Duration.ofSeconds(5),
          () -> log.forRequest("untraced-1").orElse(null));
      assertTrue(fresh.getString("traceId").matches("[0-9a-f]{32}"), "a new trace when the client sent none");
    }
  }

  @Test
  void livenessProbesStayOutOfTheAccessLog() {
    try (AccessLogCapture log = AccessLogCapture.of("spillway.access")) {
      HttpResponse<Buffer> probe = Await.result(app.client().get("/health/live").putHeader("X-Request-Id", "probe-1").send());
      assertEquals(200, probe.statusCode());
      assertEquals("probe-1", probe.getHeader("X-Request-Id"));
      Await.result(app.client().get("/health/ready").putHeader("X-Request-Id", "after-probe").send());
      Await.until("the next request's line", Duration.ofSeconds(5), () -> log.forRequest("after-probe").isPresent());
      assertTrue(log.forRequest("probe-1").isEmpty(), "a probe every second per node would drown the log");
    }
  }

  @Test
  void aWebSocketUpgradeIsWrittenWhenTheHandshakeIsAnswered() {
    ApiClient.User u = new ApiClient(app.client()).newUser("upgrader");
    WebSocketClient client = app.clientVertx().createWebSocketClient();
    try (AccessLogCapture log = AccessLogCapture.of("spillway.access")) {
      WebSocket ws = Await.result(client.connect(new WebSocketConnectOptions().setHost("127.0.0.1")
          .setPort(app.port()).setURI("/v1/stream").addHeader("Authorization", "Bearer " + u.token())
          .addHeader("X-Request-Id", "upgrade-1")));
      JsonObject line = Await.untilPresent("the upgrade's access log line", Duration.ofSeconds(5),
          () -> log.forRequest("upgrade-1").orElse(null));
      assertEquals(101, line.getInteger("status"));
      assertEquals("/v1/stream", line.getString("route"));
      assertEquals("GET", line.getString("method"));
      Await.result(ws.close());
      // Closing the socket writes no second line for the same request.
      Await.result(app.client().get("/health/ready").putHeader("X-Request-Id", "after-upgrade").send());
      Await.until("the next request's line", Duration.ofSeconds(5), () -> log.forRequest("after-upgrade").isPresent());
      assertEquals(1, log.json().stream().filter(l -> "upgrade-1".equals(l.getString("requestId"))).count());
    } finally {
      client.close();
    }
  }

  @Test
  void logEventsDroppedByAFullQueueAreCountedOnTheMetricsPage() {
    String page = Await.result(app.client().get(app.managementPort(), "127.0.0.1", "/metrics").send()).bodyAsString();
    assertTrue(page.contains("spillway_log_events_dropped_total{appender=\"ACCESS\"}"), "the access log's drops");
    assertTrue(page.contains("spillway_log_events_dropped_total{appender=\"APP\"}"), "the application log's drops");
  }

  @Test
  void passwordsTokensAndSecretsNeverReachTheLogs() {
    try (AccessLogCapture appLogs = AccessLogCapture.of("ROOT"); AccessLogCapture access = AccessLogCapture.of("spillway.access")) {
      ApiClient api = new ApiClient(LogsTest.app.client());
      ApiClient.User u = api.newUser("secretive");
      api.call(HttpMethod.POST, "/v1/auth/token", null,
          new JsonObject().put("email", u.email()).put("password", "wrong-password-xyz"));
      api.post(u, "a post");
      Await.result(LogsTest.app.client().get("/v1/feed").putHeader("Authorization", "Bearer " + u.token() + "tampered").send());
      Await.result(LogsTest.app.client().get("/v1/stream?access_token=" + u.token()).send());
      Await.result(LogsTest.app.client().post("/v1/posts").putHeader("Authorization", "Bearer " + u.token())
          .putHeader("Content-Type", "application/json").sendBuffer(Buffer.buffer("{broken json password-secretive")));
      String logs = String.join("\n", appLogs.lines()) + "\n" + String.join("\n", access.lines());
      assertTrue(access.lines().size() >= 6, "the access log was captured");
      assertFalse(logs.contains("password-secretive"), "a password was logged");
      assertFalse(logs.contains("wrong-password-xyz"), "a password was logged");
      assertFalse(logs.contains(u.token().substring(20, 60)), "a token was logged");
      assertFalse(logs.contains(LogsTest.app.config().jwt().secret()), "the JWT secret was logged");
    }
  }
}
