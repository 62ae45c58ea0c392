package io.spillway.config;

import io.spillway.testkit.NodeProcess;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The real entry point refuses a bad config file: exit code != 0 and a message naming the key. */
class StartupValidationTest {
  @Test
  void anInvalidValueStopsTheStartWithAClearMessage() throws Exception {
    JsonObject bad = new JsonObject().put("mode", "dev")
        .put("http", new JsonObject().put("port", 70000))
        .put("data", new JsonObject().put("shards", new io.vertx.core.json.JsonArray()
            .add(new JsonObject().put("database", "x"))))
        .put("jwt", new JsonObject().put("secret", JwtConfig.SAMPLE_SECRET));
    try (NodeProcess node = NodeProcess.start(bad)) {
      int code = node.awaitExit(60);
      assertNotEquals(0, code);
      assertEquals(2, code);
      assertTrue(node.output().contains("http.port: 70000 is out of range; allowed: 0..65535"), node.output());
    }
  }

  @Test
  void aMissingConfigFileIsReported() throws Exception {
    try (NodeProcess node = NodeProcess.start("-conf", "/nonexistent/spillway.json")) {
      assertEquals(2, node.awaitExit(60));
      assertTrue(node.output().contains("cannot read config file /nonexistent/spillway.json"), node.output());
    }
  }
}
