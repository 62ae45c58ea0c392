package io.spillway.server;

import io.spillway.data.ShardRouter;
import io.spillway.testkit.ApiClient;
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

/**
 * Readiness means "this node can take traffic". With Redis, Kafka and one shard down the node still serves
 * what it can (the other shard's reads, with local rate limits), so a balancer must keep it: readiness stays
 * 200 on both ports. The management port reports the node as degraded, naming each failing check, and
 * {@code /health/dependencies} is 503 for monitoring. Liveness stays 200.
 */
class ReadinessTest {
  @RegisterExtension
  static SpillwayApp app = SpillwayApp.create().configure(tree -> {
    tree.getJsonObject("redis").put("uri", "redis://127.0.0.1:" + Ports.free());
    tree.getJsonObject("kafka").put("bootstrapServers", "127.0.0.1:" + Ports.free());
  });

  @Test
  void aDependencyOutageIsReportedButDoesNotPullTheNode() {
    ApiClient api = new ApiClient(app.client());
    ShardRouter router = new ShardRouter(app.config().data());
    ApiClient.User onShard0 = null;
    for (int i = 0; onShard0 == null; i++) {
      ApiClient.User u = api.newUser("ready" + i);
      if (router.physicalOfId(Long.parseLong(u.id())) == 0) {
        onShard0 = u;
      }
    }
    String shard1 = app.databases().get(1);
    LocalPostgres.refuseConnections(shard1);
    try {
      HttpResponse<Buffer> r = Await.result(app.client().get("/health/ready").send());
      assertEquals(200, r.statusCode(), "the node can take traffic: " + r.bodyAsString());

      HttpResponse<Buffer> m = Await.result(app.client().get(app.managementPort(), "127.0.0.1", "/health/ready").send());
      assertEquals(200, m.statusCode(), m.bodyAsString());
      JsonObject body = m.bodyAsJsonObject();
      assertEquals("degraded", body.getString("status"));
      JsonArray failing = body.getJsonArray("failing");
      assertTrue(failing.getList().containsAll(List.of("redis", "kafka", "pg-shard-1")), body.encode());
      assertEquals("up", body.getJsonObject("checks").getJsonObject("pg-shard-0").getString("status"));
      assertTrue(body.getJsonObject("checks").getJsonObject("redis").getString("error").length() > 0);

      HttpResponse<Buffer> deps = Await.result(app.client().get(app.managementPort(), "127.0.0.1",
          "/health/dependencies").send());
      assertEquals(503, deps.statusCode(), "the dependency report fails for alerts");
      assertTrue(deps.bodyAsJsonObject().getJsonArray("failing").getList().contains("pg-shard-1"));

      assertEquals(200, api.get("/v1/users/" + onShard0.id(), onShard0).statusCode(),
          "and the node does serve: a read of the live shard, rate-limited locally");
      assertEquals(200, Await.result(app.client().get("/health/live").send()).statusCode());
    } finally {
      LocalPostgres.allowConnections(shard1);
    }
  }
}
