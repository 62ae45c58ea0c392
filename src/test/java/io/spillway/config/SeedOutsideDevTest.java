package io.spillway.config;

import io.spillway.testkit.NodeProcess;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code --seed} makes accounts with a published password: a production node refuses it before starting. */
class SeedOutsideDevTest {
  @Test
  void aProductionNodeRefusesToSeed() throws Exception {
    JsonObject prod = new JsonObject().put("mode", "prod")
        .put("data", new JsonObject().put("shards", new JsonArray().add(new JsonObject().put("database", "unused"))))
        .put("kafka", new JsonObject().put("bootstrapServers", "127.0.0.1:1"))
        .put("jwt", new JsonObject().put("secret", "a-production-secret-that-is-long-enough-0123"))
        .put("management", new JsonObject().put("adminToken", "a-production-admin-token-long-enough-0123"));
    try (NodeProcess node = NodeProcess.start(prod, "--seed", "5")) {
      assertEquals(2, node.awaitExit(60), node.output());
      assertTrue(node.output().contains("--seed creates accounts with a published password and is only allowed in dev mode"),
          node.output());
    }
  }
}
