package io.spillway.reshard;

import io.spillway.data.ShardRouter;
import io.spillway.testkit.ApiClient;
import io.spillway.testkit.Await;
import io.spillway.testkit.LocalPostgres;
import io.spillway.testkit.NodeProcess;
import io.spillway.testkit.ShardDb;
import io.spillway.testkit.SpillwayApp;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code kill -9} of the only node, which runs a move, in the middle of the move's copy; a node started
 * afterwards on the same databases finishes the move from where its record stands, and the target ends
 * with every row of the shard, each once.
 */
class MoverCrashTest {
  private static final int SEEDED_POSTS = 150;

  @Test
  void aMoveSurvivesTheCrashOfTheNodeRunningIt() throws Exception {
    String prefix = "spillway_movecrash_" + Long.toString(ThreadLocalRandom.current().nextLong() >>> 1, 36);
    List<String> dbs = List.of(prefix + "_0", prefix + "_1");
    LocalPostgres.create(dbs);
    JsonObject conf = SpillwayApp.testConfig(dbs, 12, "");
    conf.getJsonObject("data").put("resharding", new JsonObject().put("copyBatchRows", 10).put("batchPauseMs", 100)
        .put("pollMs", 200).put("retryMs", 200));
    int port = conf.getJsonObject("http").getInteger("port");
    int management = conf.getJsonObject("management").getInteger("port");
    Vertx vertx = Vertx.vertx();
    WebClient client = WebClient.create(vertx, new WebClientOptions().setDefaultHost("127.0.0.1").setDefaultPort(port));
    NodeProcess second = null;
    try (NodeProcess first = NodeProcess.start(conf)) {
      awaitUp(client);
      ApiClient.User owner = new ApiClient(client).newUser("crashmover");
      long ownerId = Long.parseLong(owner.id());
      int logical = ShardRouter.logicalOf(ownerId);
      int source = Moves.status(client, management).getJsonArray("map").getInteger(logical);
      int target = 1 - source;
      try (ShardDb db = new ShardDb(dbs.get(source))) {
        db.query("INSERT INTO posts (id, author_id, text) SELECT next_id($1), $2, 'seeded ' || g "
            + "FROM generate_series(1, " + SEEDED_POSTS + ") g", logical, ownerId);
      }
      Map<String, List<String>> before = Moves.contents(dbs.get(source), logical);

      assertEquals(202, Moves.admin(client, management, HttpMethod.POST, "/admin/shards/" + logical + "/move",
          new JsonObject().put("to", target)).statusCode());
      JsonObject copying = Moves.await(client, management, logical, "copying",
          m -> m.getLong("rowsCopied") > 0 && "copy".equals(m.getString("phase")));
      first.process().destroyForcibly(); // SIGKILL: no stop, no goodbye
      first.process().waitFor(10, TimeUnit.SECONDS);
      assertTrue(copying.getLong("rowsCopied") < Moves.rows(before), "the copy was under way: " + copying.encode());

      second = NodeProcess.start(conf);
      awaitUp(client);
      JsonObject done = Moves.await(client, management, logical, "done", Moves.phase("done"));
      assertEquals(before, Moves.contents(dbs.get(target), logical), "the target has every row of the shard, once");
      // A batch the crash cut off between its write and its record is copied again (idempotent), no more.
      long copied = done.getLong("rowsCopied");
      assertTrue(copied >= Moves.rows(before) && copied <= Moves.rows(before) + 10, done.encode());
      assertEquals(target, Moves.status(client, management).getJsonArray("map").getInteger(logical));
      assertEquals(100, new ApiClient(client).get("/v1/users/" + owner.id() + "/posts?limit=100", owner)
          .bodyAsJsonObject().getJsonArray("items").size(), "the API reads the shard at its new place");
    } finally {
      if (second != null) {
        second.close();
      }
      vertx.close().await();
      LocalPostgres.drop(dbs);
    }
  }

  private static void awaitUp(WebClient client) {
    Await.until("the node to answer", Duration.ofSeconds(60), () -> {
      try {
        return client.get("/health/live").send().await().statusCode() == 200;
      } catch (Exception e) {
        return false;
      }
    });
  }
}
