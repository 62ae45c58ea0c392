package io.spillway.api;

import io.spillway.data.ShardRouter;
import io.spillway.testkit.AccessLogCapture;
import io.spillway.testkit.ApiClient;
import io.spillway.testkit.Await;
import io.spillway.testkit.LocalPostgres;
import io.spillway.testkit.Ports;
import io.spillway.testkit.Scrape;
import io.spillway.testkit.SpillwayApp;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * One shard database refusing connections: its users get a retryable 503 (never a 500), the other shard
 * serves as before, the shard's breaker stops the connection attempts and the log gets a line now and then,
 * not one per request; when the database is back, so are its reads. A replica that cannot be reached hands
 * its reads to the primary.
 */
class ShardOutageTest {
  @RegisterExtension
  static SpillwayApp app = SpillwayApp.create().withoutKafka().configure(tree -> {
    JsonObject data = tree.getJsonObject("data");
    data.put("breaker", new JsonObject().put("failureThreshold", 3).put("openMs", 300)).put("readYourWritesMs", 0);
    // Shard 0 has a replica nobody listens for: every read it gets must still be answered, by the primary.
    data.getJsonArray("shards").getJsonObject(0).put("replicas", new JsonArray()
        .add(new JsonObject().put("port", Ports.free())));
  });

  @Test
  void aShardThatRefusesConnectionsCosts503sForItsUsersOnly() {
    ApiClient api = new ApiClient(app.client());
    ShardRouter router = new ShardRouter(app.config().data());
    List<ApiClient.User> onShard0 = new ArrayList<>();
    List<ApiClient.User> onShard1 = new ArrayList<>();
    for (int i = 0; onShard0.size() < 1 || onShard1.size() < 3; i++) {
      ApiClient.User u = api.newUser("outage" + i);
      (router.physicalOfId(Long.parseLong(u.id())) == 0 ? onShard0 : onShard1).add(u);
    }
    ApiClient.User reader = onShard0.get(0);
    String shard1 = app.databases().get(1);
    try (AccessLogCapture dataLog = AccessLogCapture.of("io.spillway.data.DataVerticle")) {
      LocalPostgres.refuseConnections(shard1);
      try {
        HttpResponse<Buffer> r = api.get("/v1/users/" + onShard1.get(0).id() + "/posts", reader);
        assertEquals(503, r.statusCode(), r.bodyAsString());
        assertEquals("application/problem+json", r.getHeader("Content-Type"));
        assertTrue(r.bodyAsJsonObject().getString("type").endsWith("/unavailable"), r.bodyAsString());
        assertEquals("1", r.getHeader("Retry-After"), "a 503 says when to retry");

        // 60 more reads of the dead shard, 20 at a time.
        int failed = 0;
        for (int round = 0; round < 3; round++) {
          List<Future<HttpResponse<Buffer>>> batch = new ArrayList<>();
          for (int i = 0; i < 20; i++) {
            ApiClient.User u = onShard1.get(i % onShard1.size());
            batch.add(api.send(io.vertx.core.http.HttpMethod.GET, "/v1/users/" + u.id() + "/posts?limit=" + (1 + i),
                reader, null));
          }
          for (Future<HttpResponse<Buffer>> f : batch) {
            int status = Await.result(f).statusCode();
            assertEquals(503, status, "a dead shard is a 503, never a 500");
            failed++;
          }
        }
        assertEquals(60, failed);
        assertEquals(200, api.get("/v1/users/" + reader.id() + "/posts", reader).statusCode(),
            "the other shard serves as before (its reads fall back from a dead replica to the primary)");

        Scrape metrics = Scrape.of(app.client(), app.managementPort());
        assertTrue(metrics.value("spillway_data_pool_fast_failures_total", "pool=\"pg-shard-1\"") > 0,
            "the open breaker failed requests without a connection attempt");
        assertTrue(metrics.value("spillway_data_replica_fallbacks_total", "pool=\"pg-shard-0-replica-0\"") > 0,
            "the dead replica's reads went to the primary");
        assertTrue(dataLog.lines().size() <= 4, "a line now and then, not one per request: " + dataLog.lines());
      } finally {
        LocalPostgres.allowConnections(shard1);
      }
      Await.until("the shard's reads to come back", Duration.ofSeconds(20),
          () -> api.get("/v1/users/" + onShard1.get(1).id() + "/posts", reader).statusCode() == 200);
    }
  }
}
