package io.spillway.config;

import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ShedConfigTest {
  private static ShedConfig parse(String json) {
    return ShedConfig.from(new ConfigReader(new JsonObject(json), "shed"));
  }

  private static String error(String json) {
    return assertThrows(ConfigException.class, () -> parse(json)).getMessage();
  }

  @Test
  void defaults() {
    ShedConfig c = parse("{}");
    assertTrue(c.enabled());
    assertEquals("gradient2", c.algorithm());
    assertEquals(100, c.initialLimit());
    assertEquals(10, c.minLimit());
    assertEquals(1000, c.maxLimit());
    assertEquals(0.2, c.smoothing());
    assertEquals(1000, c.windowMs());
    assertEquals(0.2, c.criticalReserve());
    assertEquals(50, c.maxQueueMs());
    assertEquals(256, c.maxQueueLength());
    assertEquals(200, c.eventLoopLagMs());
    assertEquals(1, c.retryAfterSeconds());
    assertFalse(c.perClient().enabled());
    assertEquals(20, c.perClient().maxInFlight());
    assertEquals(List.of(), c.routes());
    assertEquals(1.0, parse("{\"algorithm\":\"vegas\"}").smoothing(), "vegas moves in small steps already");
  }

  @Test
  void theDocumentedExampleParses() {
    ShedConfig c = parse("""
        {
          "enabled": true, "algorithm": "vegas", "initialLimit": 64, "minLimit": 8, "maxLimit": 512,
          "smoothing": 0.5, "windowMs": 500, "criticalReserve": 0.25, "maxQueueMs": 100, "maxQueueLength": 128,
          "eventLoopLagMs": 150, "retryAfterSeconds": 2,
          "perClient": { "enabled": true, "maxInFlight": 10 },
          "routes": [
            { "priority": "critical", "path": "/v1/auth/token", "methods": ["POST"] },
            { "priority": "sheddable", "path": "/v1/users/:id/posts", "methods": ["get", "HEAD"] },
            { "priority": "sheddable", "path": "/v1/*" }
          ]
        }""");
    assertEquals("vegas", c.algorithm());
    assertEquals(64, c.initialLimit());
    assertEquals(0.5, c.smoothing());
    assertEquals(0.25, c.criticalReserve());
    assertEquals(new ShedConfig.PerClient(true, 10), c.perClient());
    assertEquals(3, c.routes().size());
    assertEquals(new ShedConfig.RouteRule("sheddable", "/v1/users/:id/posts", List.of("GET", "HEAD")), c.routes().get(1));
    assertEquals(List.of(), c.routes().get(2).methods());
  }

  @Test
  void errorsNameTheKeyAndWhatIsAllowed() {
    String algorithm = error("{\"algorithm\":\"aimd\"}");
    assertTrue(algorithm.startsWith("shed.algorithm: 'aimd' is not allowed"), algorithm);
    assertTrue(algorithm.contains("fixed, gradient2, vegas"), algorithm);

    assertTrue(error("{\"criticalReserve\":0.95}").startsWith("shed.criticalReserve: 0.95 is out of range; allowed: 0.0..0.9"));
    assertTrue(error("{\"minLimit\":50,\"maxLimit\":20}").startsWith("shed.maxLimit: 20 is below shed.minLimit"));
    assertTrue(error("{\"minLimit\":5,\"maxLimit\":20,\"initialLimit\":30}").startsWith("shed.initialLimit: 30 is out of range"));
    assertTrue(error("{\"smoothing\":0}").startsWith("shed.smoothing: 0 would freeze the limit"));
    assertTrue(error("{\"windowMs\":1}").startsWith("shed.windowMs: 1 is out of range"));
    assertTrue(error("{\"perClient\":{\"maxInFlight\":0}}").startsWith("shed.perClient.maxInFlight: 0 is out of range"));
  }

  @Test
  void routeErrorsNameTheRule() {
    String priority = error("{\"routes\":[{\"path\":\"/a\"},{\"priority\":\"urgent\",\"path\":\"/b\"}]}");
    assertTrue(priority.startsWith("shed.routes[1].priority: 'urgent' is not allowed; allowed values: critical, normal, sheddable"),
        priority);
    assertTrue(error("{\"routes\":[{\"priority\":\"normal\"}]}").startsWith("shed.routes[0].path: is required"));
    String method = error("{\"routes\":[{\"path\":\"/a\",\"methods\":[\"FETCH\"]}]}");
    assertTrue(method.startsWith("shed.routes[0].methods: 'FETCH' is not allowed; allowed values: DELETE, GET"), method);
    for (String bad : List.of("v1/feed", "/v1/*/posts", "/v1/feed*", "/v1//feed", "/v1/:", "/v1/feed/")) {
      String message = error("{\"routes\":[{\"path\":\"" + bad + "\"}]}");
      assertTrue(message.startsWith("shed.routes[0].path: '" + bad + "'"), message);
    }
  }

  @Test
  void validPatterns() {
    for (String ok : List.of("/", "/*", "/v1/feed", "/v1/users/:id/posts", "/v1/*")) {
      assertEquals(ok, parse("{\"routes\":[{\"path\":\"" + ok + "\"}]}").routes().get(0).path());
    }
  }
}
