package io.spillway.config;

import io.spillway.testkit.ShippedConfig;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ShedConfigTest {
  private static ShedConfig parse(String json) {
    return ShedConfig.from(ShippedConfig.section("shed", new JsonObject(json)));
  }

  private static String error(String json) {
    return assertThrows(ConfigException.class, () -> parse(json)).getMessage();
  }

  @Test
  void theShippedDefaults() {
    ShedConfig c = parse("{}");
    assertTrue(c.enabled());
    assertEquals(ShedConfig.Algorithm.GRADIENT2, c.algorithm());
    assertEquals(16, c.initialLimit());
    assertEquals(4, c.minLimit());
    assertEquals(200, c.maxLimit());
    assertEquals(0.2, c.smoothing());
    assertEquals(1000, c.windowMs());
    assertEquals(0.2, c.criticalReserve());
    assertEquals(50, c.maxQueueMs());
    assertEquals(256, c.maxQueueLength());
    assertEquals(200, c.eventLoopLagMs());
    assertEquals(1, c.retryAfterSeconds());
    assertTrue(c.perClient().enabled());
    assertEquals(20, c.perClient().maxInFlight());
    assertEquals(50, c.perClient().maxInFlightPerAddress());
    assertEquals(new ShedConfig.RouteRule(Priority.NORMAL, "/v1/auth/token", List.of("POST")), c.routes().get(0));
    // v1, v2 (the same classes by path) and the two GraphQL operation classes; probes never reach the door.
    assertEquals(18, c.routes().size());
  }

  @Test
  void smoothingFollowsTheAlgorithmUnlessSet() {
    assertEquals(1.0, parse("{\"algorithm\":\"vegas\"}").smoothing(), "vegas moves in small steps already");
    assertEquals(0.2, parse("{\"algorithm\":\"fixed\"}").smoothing());
    assertEquals(0.5, parse("{\"algorithm\":\"vegas\",\"smoothing\":0.5}").smoothing());
  }

  @Test
  void aRuleEntryGetsItsDefaults() {
    ShedConfig.RouteRule rule = parse("{\"routes\":[{\"path\":\"/v1/search\"}]}").routes().get(0);
    assertEquals(new ShedConfig.RouteRule(Priority.NORMAL, "/v1/search", List.of()), rule);
  }

  @Test
  void aRecordBuiltInCodeIsCheckedLikeConfig() {
    ConfigException e = assertThrows(ConfigException.class, () -> new ShedConfig(true, ShedConfig.Algorithm.FIXED,
        300, 4, 200, 0.2, 1000, 0.2, 50, 256, 200, 1, new ShedConfig.PerClient(false, 20), List.of(), 0));
    assertEquals("shed.initialLimit: 300 is out of range; allowed: 4..200 (shed.minLimit..shed.maxLimit)",
        e.getMessage());
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
    assertEquals(ShedConfig.Algorithm.VEGAS, c.algorithm());
    assertEquals(64, c.initialLimit());
    assertEquals(0.5, c.smoothing());
    assertEquals(0.25, c.criticalReserve());
    assertEquals(new ShedConfig.PerClient(true, 10), c.perClient());
    assertEquals(3, c.routes().size());
    assertEquals(new ShedConfig.RouteRule(Priority.SHEDDABLE, "/v1/users/:id/posts", List.of("GET", "HEAD")), c.routes().get(1));
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
