package io.spillway.api;

import io.spillway.Spillway;
import io.spillway.config.AppConfig;
import io.spillway.data.ShardRouter;
import io.spillway.testkit.ApiClient;
import io.spillway.testkit.Await;
import io.spillway.testkit.LocalPostgres;
import io.spillway.testkit.Ports;
import io.spillway.testkit.Scrape;
import io.spillway.testkit.SpillwayApp;
import io.spillway.testkit.StreamingReplica;
import io.spillway.web.Consistency;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Read-your-writes across nodes with a real streaming replica: a client writes on node A and reads on node B,
 * whose reads go to the replica. With replay paused on the replica, a read that sends back the write's
 * {@code Spillway-Consistency} token goes to the primary and sees the write, while a read without it sees the
 * replica's older state; a write on node B that carries the token answers with one covering both writes,
 * which node A honours; once replay resumes, reads with the token are served by the replica again.
 */
class ConsistencyTokenReadsTest {
  private static final String BEHIND = "spillway_data_reads_primary_replica_behind_total";

  @Test
  void aTokenReadSeesTheWriteOnAnotherNodeWhileTheReplicaIsBehind() throws Exception {
    List<String> dbs = List.of("spillway_ryw_test_0", "spillway_ryw_test_1");
    LocalPostgres.create(dbs);
    Vertx vertx = Vertx.vertx();
    try (StreamingReplica replica = StreamingReplica.start()) {
      JsonObject tree = SpillwayApp.testConfig(dbs, 15, "");
      JsonArray shards = tree.getJsonObject("data").getJsonArray("shards");
      for (int i = 0; i < dbs.size(); i++) {
        shards.getJsonObject(i).put("replicas", new JsonArray().add(new JsonObject()
            .put("host", replica.host()).put("port", replica.port()).put("database", dbs.get(i))));
      }
      Spillway a = Spillway.start(AppConfig.from(tree.copy())).await(60, TimeUnit.SECONDS);
      tree.getJsonObject("http").put("port", Ports.free());
      tree.getJsonObject("management").put("port", Ports.free());
      Spillway b = Spillway.start(AppConfig.from(tree)).await(60, TimeUnit.SECONDS);
      try {
        WebClient http = WebClient.create(vertx, new WebClientOptions().setDefaultHost("127.0.0.1"));
        ApiClient onA = new ApiClient(WebClient.create(vertx, new WebClientOptions()
            .setDefaultHost("127.0.0.1").setDefaultPort(a.config().http().port())));
        int portB = b.config().http().port();
        ApiClient.User writer = onA.newUser("writer");
        replica.awaitCaughtUp();
        replica.pauseReplay();

        HttpResponse<Buffer> created = onA.call(io.vertx.core.http.HttpMethod.POST, "/v1/posts", writer,
            new JsonObject().put("text", "written on node A"));
        assertEquals(201, created.statusCode(), created.bodyAsString());
        String postId = created.bodyAsJsonObject().getString("id");
        String token = created.getHeader(Consistency.HEADER);
        assertNotNull(token, "a write's answer carries a consistency token");
        int shard = new ShardRouter(a.config().data()).physicalOfId(Long.parseLong(postId));
        assertTrue(Consistency.parse(token).position(shard) > 0, "the token names the post's shard: " + token);

        assertEquals(404, read(http, portB, postId, null).statusCode(),
            "without the token node B reads the replica, which has not replayed the post");
        double behindBefore = behind(http, b, shard);
        HttpResponse<Buffer> withToken = read(http, portB, postId, token);
        assertEquals(200, withToken.statusCode(), "with the token node B reads the primary: " + withToken.bodyAsString());
        assertEquals("written on node A", withToken.bodyAsJsonObject().getString("text"));
        assertTrue(behind(http, b, shard) > behindBefore, "counted as reads the replica was too far behind for");

        // The same client writes on node B, sending its token: the answer's token covers both writes, and
        // node A, given it, shows the comment although its replica has not replayed either write.
        HttpResponse<Buffer> comment = Await.result(http.post(portB, "127.0.0.1", "/v1/posts/" + postId + "/comments")
            .putHeader("Authorization", "Bearer " + writer.token()).putHeader(Consistency.HEADER, token)
            .sendJsonObject(new JsonObject().put("text", "written on node B")));
        assertEquals(201, comment.statusCode(), comment.bodyAsString());
        String merged = comment.getHeader(Consistency.HEADER);
        assertTrue(Consistency.parse(merged).position(shard) >= Consistency.parse(token).position(shard), merged);
        HttpResponse<Buffer> comments = Await.result(http.get(a.config().http().port(), "127.0.0.1",
            "/v1/posts/" + postId + "/comments").putHeader(Consistency.HEADER, merged).send());
        assertEquals(200, comments.statusCode(), comments.bodyAsString());
        assertEquals("written on node B", comments.bodyAsJsonObject().getJsonArray("items").getJsonObject(0).getString("text"));

        HttpResponse<Buffer> malformed = read(http, portB, postId, "0:not-an-lsn");
        assertEquals(400, malformed.statusCode());
        assertEquals("application/problem+json", malformed.getHeader("Content-Type"));
        assertEquals(400, read(http, portB, postId, "7:0/16B3748").statusCode(), "no shard 7 here");
        assertEquals(400, read(http, portB, postId, "0:0/1,".repeat(100) + "0:0/1").statusCode(), "too long");

        replica.resumeReplay();
        Await.until("node B serves reads with the token from the replica again", Duration.ofSeconds(30), () -> {
          double before = behind(http, b, shard);
          return read(http, portB, postId, token).statusCode() == 200 && behind(http, b, shard) == before;
        });
        assertEquals(1.0, Scrape.of(http, b.config().management().port())
            .value("spillway_data_pool_available", "pool=\"pg-shard-" + shard + "-replica-0\""),
            "the replica's pool is up, so the read above ran there");
      } finally {
        Await.result(b.stop());
        Await.result(a.stop());
      }
    } finally {
      vertx.close().await();
      LocalPostgres.drop(dbs);
    }
  }

  private static HttpResponse<Buffer> read(WebClient http, int port, String postId, String token) {
    var request = http.get(port, "127.0.0.1", "/v1/posts/" + postId);
    if (token != null) {
      request.putHeader(Consistency.HEADER, token);
    }
    return Await.result(request.send());
  }

  private static double behind(WebClient http, Spillway node, int shard) {
    return Scrape.of(http, node.config().management().port()).value(BEHIND, "shard=\"" + shard + "\"");
  }
}
