package io.spillway.server;

import io.spillway.observe.AccessLog;
import io.spillway.testkit.AccessLogCapture;
import io.spillway.testkit.Await;
import io.spillway.testkit.SpillwayApp;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class HttpBasicsTest {
  @RegisterExtension
  static SpillwayApp app = SpillwayApp.create();

  @Test
  void liveAndReadyWhenEveryDependencyAnswers() {
    assertEquals(200, get("/health/live").statusCode());
    HttpResponse<Buffer> ready = get("/health/ready");
    assertEquals(200, ready.statusCode(), ready.bodyAsString());
    assertEquals("up", ready.bodyAsJsonObject().getString("status"));
    HttpResponse<Buffer> mgmt = Await.result(app.client().get(app.managementPort(), "127.0.0.1", "/health/ready").send());
    assertEquals(200, mgmt.statusCode());
    assertEquals("up", mgmt.bodyAsJsonObject().getString("status"), mgmt.bodyAsString());
    JsonObject checks = mgmt.bodyAsJsonObject().getJsonObject("checks");
    for (String check : new String[] {"pg-shard-0", "pg-shard-1", "redis", "kafka"}) {
      assertEquals("up", checks.getJsonObject(check).getString("status"), check);
    }
  }

  @Test
  void theLivenessProbeAnswersLikeAnyRouteAndIsCounted() {
    HttpResponse<Buffer> live = get("/health/live");
    assertEquals("application/json", live.getHeader("Content-Type"));
    assertEquals("up", live.bodyAsJsonObject().getString("status"));
    assertTrue(live.getHeader("X-Request-Id") != null && !live.getHeader("X-Request-Id").isEmpty());
    double before = liveCount();
    get("/health/live");
    get("/health/live?probe=1");
    assertEquals(before + 2, liveCount(), 0.0);
  }

  private static double liveCount() {
    String page = Await.result(app.client().get(app.managementPort(), "127.0.0.1", "/metrics").send()).bodyAsString();
    return page.lines()
        .filter(l -> l.startsWith("vertx_http_server_requests_total{") && l.contains("route=\"/health/live\"")
            && l.contains("code=\"200\""))
        .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).sum();
  }

  @Test
  void onlyResponsesOfAPacketOrMoreAreCompressed() {
    HttpResponse<Buffer> small = Await.result(app.client().get("/health/live")
        .putHeader("Accept-Encoding", "gzip").send());
    assertEquals(200, small.statusCode());
    assertNull(small.getHeader("Content-Encoding"), "a 20-byte answer is sent as it is");
    assertEquals("up", small.bodyAsJsonObject().getString("status"));
    HttpResponse<Buffer> large = Await.result(app.client().get("/openapi.json")
        .putHeader("Accept-Encoding", "gzip").send());
    assertEquals(200, large.statusCode());
    assertEquals("gzip", large.getHeader("Content-Encoding"));
  }

  @Test
  void unknownPathIsA404Problem() {
    HttpResponse<Buffer> r = get("/no/such/thing");
    assertEquals(404, r.statusCode());
    assertEquals("application/problem+json", r.getHeader("Content-Type"));
    JsonObject p = r.bodyAsJsonObject();
    assertEquals(404, p.getInteger("status"));
    assertEquals("https://spillway.dev/problems/not-found", p.getString("type"));
    assertEquals("Not found", p.getString("title"));
    assertEquals("/no/such/thing", p.getString("instance"));
    assertTrue(p.getString("detail").contains("/no/such/thing"));
    assertEquals(r.getHeader("X-Request-Id"), p.getString("requestId"));
  }

  @Test
  void wrongMethodIsA405WithAllow() {
    HttpResponse<Buffer> r = Await.result(app.client().delete("/health/live").send());
    assertEquals(405, r.statusCode());
    assertEquals("GET, HEAD", r.getHeader("Allow"));
    assertEquals("application/problem+json", r.getHeader("Content-Type"));
    assertEquals(405, r.bodyAsJsonObject().getInteger("status"));
  }

  @Test
  void oversizedHeaderSectionIsA431Problem() {
    HttpResponse<Buffer> r = Await.result(app.client().get("/health/live")
        .putHeader("X-Padding", "x".repeat(app.config().http().maxHeaderBytes() + 100)).send());
    assertEquals(431, r.statusCode());
    assertEquals("application/problem+json", r.getHeader("Content-Type"));
    assertEquals(431, r.bodyAsJsonObject().getInteger("status"));
    assertTrue(r.bodyAsJsonObject().containsKey("requestId"));
  }

  @Test
  void requestIdIsEchoedWhenValidAndGeneratedOtherwise() {
    HttpResponse<Buffer> echoed = Await.result(app.client().get("/health/live")
        .putHeader("X-Request-Id", "client-abc.123_XYZ").send());
    assertEquals("client-abc.123_XYZ", echoed.getHeader("X-Request-Id"));

    java.util.Set<String> generated = new java.util.HashSet<>();
    for (String bad : new String[] {"has space", "x".repeat(129), "semi;colon", ""}) {
      HttpResponse<Buffer> r = Await.result(app.client().get("/health/live").putHeader("X-Request-Id", bad).send());
      String id = r.getHeader("X-Request-Id");
      assertNotEquals(bad, id);
      assertTrue(id.matches("[0-9a-f]{16}-[0-9a-z]+"), id);
      assertTrue(generated.add(id), "each generated id is new: " + id);
    }
  }

  @Test
  void everyRequestWritesOneJsonAccessLogLine() {
    try (AccessLogCapture log = AccessLogCapture.of(AccessLog.LOGGER)) {
      Await.result(app.client().get("/health/ready").putHeader("X-Request-Id", "log-test-1").send());
      Await.result(app.client().get("/missing").putHeader("X-Request-Id", "log-test-2").send());
      JsonObject ok = Await.untilPresent("access log line", Duration.ofSeconds(5),
          () -> log.forRequest("log-test-1").orElse(null));
      assertEquals("GET", ok.getString("method"));
      assertEquals("/health/ready", ok.getString("route"));
      assertEquals(200, ok.getInteger("status"));
      assertEquals(15, ok.getLong("bytes"));
      assertTrue(ok.getDouble("durationMs") >= 0);
      assertTrue(ok.getString("time").endsWith("Z"));
      JsonObject missing = Await.untilPresent("access log line", Duration.ofSeconds(5),
          () -> log.forRequest("log-test-2").orElse(null));
      assertEquals(404, missing.getInteger("status"));
      assertEquals("unmatched", missing.getString("route"), "raw paths never become route labels");
      assertEquals(1, log.lines().stream().filter(l -> l.contains("log-test-1")).count());
    }
  }

  private static HttpResponse<Buffer> get(String path) {
    return Await.result(app.client().get(path).send());
  }
}
