package io.spillway.api;

import io.spillway.Spillway;
import io.spillway.config.AppConfig;
import io.spillway.testkit.ApiClient;
import io.spillway.testkit.Await;
import io.spillway.testkit.LocalPostgres;
import io.spillway.testkit.SpillwayApp;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Replicas serve stale-tolerant reads, and a caller who just wrote reads the primary. The "replicas" here are
 * snapshots of the shards that never catch up, so which pool answered is visible in the result.
 */
class ReplicaReadsTest {
  @Test
  void staleReadsGoToReplicasButWritersReadTheirOwnWrites() throws Exception {
    List<String> primaries = List.of("spillway_replica_test_0", "spillway_replica_test_1");
    List<String> replicas = List.of("spillway_replica_test_0r", "spillway_replica_test_1r");
    LocalPostgres.create(primaries);
    JsonObject tree = SpillwayApp.testConfig(primaries, 13, "");
    Vertx vertx = Vertx.vertx();
    try {
      // First start migrates the primaries; the snapshots taken after it have the schema but no data.
      Spillway.start(AppConfig.from(tree.copy())).await(60, TimeUnit.SECONDS).stop().await();
      LocalPostgres.snapshot(primaries.get(0), replicas.get(0));
      LocalPostgres.snapshot(primaries.get(1), replicas.get(1));
      JsonArray shards = tree.getJsonObject("data").getJsonArray("shards");
      for (int i = 0; i < 2; i++) {
        shards.getJsonObject(i).put("replicas", new JsonArray().add(new JsonObject().put("database", replicas.get(i))));
      }
      tree.getJsonObject("data").put("readYourWritesMs", 600_000);
      Spillway node = Spillway.start(AppConfig.from(tree)).await(60, TimeUnit.SECONDS);
      try {
        ApiClient api = new ApiClient(WebClient.create(vertx, new WebClientOptions()
            .setDefaultHost("127.0.0.1").setDefaultPort(node.config().http().port())));
        ApiClient.User writer = api.newUser("writer");
        assertEquals(404, api.get("/v1/users/" + writer.id(), null).statusCode(),
            "an anonymous read goes to the replica, which has not seen the new user");
        assertEquals(200, api.get("/v1/users/" + writer.id(), writer).statusCode(),
            "the writer reads its own write from the primary");
        JsonObject ready = Await.result(WebClient.create(vertx).get(node.config().management().port(), "127.0.0.1",
            "/health/ready").send()).bodyAsJsonObject();
        assertEquals("up", ready.getJsonObject("checks").getJsonObject("pg-shard-1-replica-0").getString("status"));
      } finally {
        Await.result(node.stop());
      }
    } finally {
      vertx.close().await();
      LocalPostgres.drop(primaries);
      LocalPostgres.drop(replicas);
    }
  }
}
