package io.spillway.server;

import io.spillway.testkit.Await;
import io.spillway.testkit.LocalPostgres;
import io.spillway.testkit.Ports;
import io.spillway.testkit.SpillwayApp;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Readiness is 503 and names each failing dependency; liveness stays 200. */
class ReadinessTest {
  @RegisterExtension
  static SpillwayApp app = SpillwayApp.create().configure(tree -> {
    tree.getJsonObject("redis").put("uri", "redis://127.0.0.1:" + Ports.free());
    tree.getJsonObject("kafka").put("bootstrapServers", "127.0.0.1:" + Ports.free());
  });

  @Test
  void notReadyNamesTheFailingChecks() {
    String shard1 = app.databases().get(1);
    LocalPostgres.refuseConnections(shard1);
    try {
      HttpResponse<Buffer> r = Await.result(app.client().get("/health/ready").send());
      assertEquals(503, r.statusCode(), r.bodyAsString());
      JsonObject body = r.bodyAsJsonObject();
      assertEquals("down", body.getString("status"));
      JsonArray failing = body.getJsonArray("failing");
      assertTrue(failing.getList().containsAll(List.of("redis", "kafka", "pg-shard-1")), body.encode());
      assertEquals("up", body.getJsonObject("checks").getJsonObject("pg-shard-0").getString("status"));
      assertTrue(body.getJsonObject("checks").getJsonObject("redis").getString("error").length() > 0);
      assertEquals(200, Await.result(app.client().get("/health/live").send()).statusCode());
    } finally {
      LocalPostgres.allowConnections(shard1);
    }
  }
}
