package io.spillway.reshard;

import io.spillway.Spillway;
import io.spillway.data.ShardRouter;
import io.spillway.testkit.ApiClient;
import io.spillway.testkit.Scrape;
import io.spillway.testkit.Await;
import io.spillway.testkit.ShardDb;
import io.spillway.testkit.SpillwayApp;
import io.spillway.testkit.StreamClient;
import io.spillway.testkit.TestHttp;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A logical shard moves to the other database while clients write to it and read it through two nodes:
 * every write the API acknowledged is on the target afterwards, the target holds exactly the source's rows
 * (none lost, none twice, counters that match), reads never fail, writes are refused only with 503 while the
 * fence is up, the fence is measured, and the shard's events reach subscribers once each, in order.
 */
class LiveShardMoveTest {
  @RegisterExtension
  static SpillwayApp app = SpillwayApp.create().configure(tree -> {
    tree.getJsonObject("data").put("resharding", new JsonObject().put("copyBatchRows", 50).put("catchUpRows", 10)
        .put("pollMs", 200));
    tree.put("outbox", new JsonObject().put("pollIntervalMs", 200));
    // The writer and the readers would otherwise spend their own client's limits in a second or two.
    tree.put("limits", new JsonObject().put("enabled", false));
  });

  @Test
  void movesAShardWhileTwoNodesWriteAndReadIt() throws Exception {
    Spillway second = app.startSecondNode();
    try (TestHttp.Counted onSecond = TestHttp.client(app.clientVertx(), second.config().http().port())) {
      ApiClient a = new ApiClient(app.client());
      ApiClient b = new ApiClient(onSecond.web());
      ApiClient.User author = a.newUser("mover");
      ApiClient.User fan = a.newUser("fan");
      ApiClient.User reader = a.newUser("reader");
      int logical = ShardRouter.logicalOf(Long.parseLong(author.id()));
      JsonObject before = Moves.status(app.client(), app.managementPort());
      int source = before.getJsonArray("map").getInteger(logical);
      int target = 1 - source;
      String channel = "posts:" + author.id();

      try (StreamClient stream = StreamClient.connect(app.clientVertx(), app.port(), reader.token())) {
        stream.subscribe(channel);
        // Rows of every kind on the shard: posts, a comment and a like on them, follows both ways, an API key
        // and an Idempotency-Key record.
        List<String> posted = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
          posted.add(a.post(author, "before " + i).getString("id"));
        }
        String firstPost = posted.get(0);
        assertEquals(201, a.call(HttpMethod.POST, "/v1/posts/" + firstPost + "/comments", fan,
            new JsonObject().put("text", "first")).statusCode());
        assertEquals(200, a.call(HttpMethod.PUT, "/v1/posts/" + firstPost + "/like", fan, null).statusCode());
        assertEquals(200, a.call(HttpMethod.PUT, "/v1/users/" + author.id() + "/follow", fan, null).statusCode());
        assertEquals(200, a.call(HttpMethod.PUT, "/v1/users/" + fan.id() + "/follow", author, null).statusCode());
        assertEquals(201, a.call(HttpMethod.POST, "/v1/api-keys", author, new JsonObject().put("name", "ci")).statusCode());
        HttpResponse<Buffer> idempotent = Await.result(app.client().post("/v1/posts")
            .putHeader("Authorization", "Bearer " + author.token()).putHeader("Idempotency-Key", "move-1")
            .sendJsonObject(new JsonObject().put("text", "once")));
        assertEquals(201, idempotent.statusCode());
        posted.add(idempotent.bodyAsJsonObject().getString("id"));

        AtomicBoolean stop = new AtomicBoolean();
        List<String> acknowledged = new CopyOnWriteArrayList<>();
        List<String> unexpected = new CopyOnWriteArrayList<>();
        AtomicInteger fenced = new AtomicInteger();
        AtomicInteger reads = new AtomicInteger();
        Thread writer = new Thread(() -> {
          for (int i = 0; !stop.get(); i++) {
            HttpResponse<Buffer> r = (i % 2 == 0 ? a : b).call(HttpMethod.POST, "/v1/posts", author,
                new JsonObject().put("text", "during " + i));
            if (r.statusCode() == 201) {
              acknowledged.add(r.bodyAsJsonObject().getString("id"));
            } else if (r.statusCode() == 503 && r.getHeader("Retry-After") != null) {
              fenced.incrementAndGet();
            } else {
              unexpected.add("write: " + r.statusCode() + " " + r.bodyAsString());
            }
          }
        }, "writer");
        Thread readers = new Thread(() -> {
          for (int i = 0; !stop.get(); i++) {
            ApiClient via = i % 2 == 0 ? a : b;
            for (String path : List.of("/v1/users/" + author.id(), "/v1/posts/" + firstPost,
                "/v1/users/" + author.id() + "/posts?limit=5", "/v1/posts/" + firstPost + "/comments")) {
              HttpResponse<Buffer> r = via.get(path, fan);
              reads.incrementAndGet();
              if (r.statusCode() != 200) {
                unexpected.add("read " + path + ": " + r.statusCode() + " " + r.bodyAsString());
              }
            }
          }
        }, "readers");
        writer.start();
        readers.start();
        Await.until("writes before the move", Moves.DEADLINE, () -> acknowledged.size() >= 10);

        HttpResponse<Buffer> accepted = Moves.admin(app.client(), app.managementPort(), HttpMethod.POST,
            "/admin/shards/" + logical + "/move", new JsonObject().put("to", target));
        assertEquals(202, accepted.statusCode(), accepted.bodyAsString());
        JsonObject done = Moves.await(app.client(), app.managementPort(), logical, "done", Moves.phase("done"));
        long version = Moves.status(app.client(), app.managementPort()).getLong("version");
        Await.until("both nodes on map version " + version, Moves.DEADLINE,
            () -> Moves.status(app.client(), app.managementPort()).getLong("nodeVersion") == version
                && Moves.status(onSecond.web(), second.config().management().port()).getLong("nodeVersion") == version);
        int atCutOver = acknowledged.size();
        Await.until("writes after the cut-over", Moves.DEADLINE, () -> acknowledged.size() >= atCutOver + 10);
        stop.set(true);
        writer.join();
        readers.join();

        assertEquals(List.of(), unexpected, "reads always answered, writes either acknowledged or refused with 503");
        assertTrue(version > before.getLong("version"), "the map has a new version");
        assertEquals(target, Moves.status(onSecond.web(), second.config().management().port())
            .getJsonArray("map").getInteger(logical), "every node places the shard on the target");
        Integer fenceMs = done.getInteger("fenceMs");
        assertNotNull(fenceMs, "the fence is measured: " + done.encode());
        assertTrue(done.getLong("rowsCopied") > 0, done.encode());
        int leaderPort = Moves.status(app.client(), app.managementPort()).getBoolean("runsMoves")
            ? app.managementPort() : second.config().management().port();
        Scrape metrics = Scrape.of(app.client(), leaderPort);
        assertEquals(1.0, metrics.value("spillway_reshard_moves_total", "outcome=\"done\""));
        assertEquals(1.0, metrics.value("spillway_reshard_fence_seconds_count"), "the fence is a metric too");
        assertEquals(done.getLong("rowsCopied").doubleValue(), metrics.value("spillway_reshard_rows_copied_total"));
        assertEquals((double) version, Scrape.of(app.client(), second.config().management().port())
            .value("spillway_shard_map_version"));

        // The target holds exactly what the source held when it was fenced: every row of every table.
        Map<String, List<String>> atSource = Moves.contents(app.databases().get(source), logical);
        Map<String, List<String>> atTarget = Moves.contents(app.databases().get(target), logical);
        List<String> all = new ArrayList<>(posted);
        all.addAll(acknowledged);
        try (ShardDb db = new ShardDb(app.databases().get(target))) {
          assertEquals(all.size(), db.count("SELECT count(*) FROM posts WHERE id = ANY($1)",
              (Object) all.stream().map(Long::valueOf).toArray(Long[]::new)), "every acknowledged post is on the target");
          assertEquals(all.size(), db.count("SELECT count(*) FROM posts WHERE author_id = $1", Long.parseLong(author.id())),
              "and nothing else by the author");
          assertEquals(all.size(), db.count("SELECT post_count FROM counted_users WHERE id = $1", Long.parseLong(author.id())),
              "the author's post count counts each post once");
          assertEquals(1, db.count("SELECT count(*) FROM idempotency_keys WHERE key = 'move-1'"));
        }
        for (String table : atTarget.keySet()) {
          List<String> expected = atSource.get(table);
          if (table.equals("posts")) {
            // Posts were added after the cut-over, on the target only.
            assertTrue(atTarget.get(table).containsAll(expected), "posts: the source's rows are on the target");
          } else if (table.equals("users")) {
            // The author's post count went on counting at the target.
            assertEquals(ids(expected), ids(atTarget.get(table)), "users: the same users at the source and the target");
          } else if (table.endsWith("_counter_slots")) {
            // Slots went on counting at the target (the author's total is checked above): none went missing.
            assertTrue(atTarget.get(table).size() >= expected.size(), table + ": every slot of the source is on the target");
          } else {
            assertEquals(expected, atTarget.get(table), table + ": the same rows at the source and the target");
          }
          assertTrue(!expected.isEmpty() || table.equals("follow_sync") || table.equals("post_counter_slots"),
              table + " had rows to move");
        }

        // Events: each acknowledged post's once, in the order they were written, across the cut-over.
        stream.awaitEvents(channel, all.size());
        stream.ping();
        List<String> events = stream.events(channel).stream()
            .map(e -> e.getJsonObject("event").getJsonObject("data").getString("postId")).toList();
        assertEquals(all, events, "every post's event once, in order");

        // A write refused at the fence reads as a retry, and nothing failed for clients of other shards.
        Path report = Path.of("target", "reshard", "live-move.txt");
        Files.createDirectories(report.getParent());
        Files.writeString(report, "rowsCopied=" + done.getLong("rowsCopied") + " changesReplayed="
            + done.getLong("changesReplayed") + " fenceMs=" + fenceMs + " refusedWrites=" + fenced.get()
            + " acknowledgedWrites=" + acknowledged.size() + " reads=" + reads.get() + "\n");

        // The old place stays fenced for that logical shard only.
        try (ShardDb db = new ShardDb(app.databases().get(source))) {
          AssertionError refused = org.junit.jupiter.api.Assertions.assertThrows(AssertionError.class,
              () -> db.query("UPDATE users SET bio = 'stale' WHERE id = $1", Long.parseLong(author.id())));
          assertTrue(refused.getMessage().contains("is being moved or has moved"), refused.getMessage());
          db.query("UPDATE users SET bio = bio WHERE ((id >> 10) & 8191) <> $1", logical);
        }

        // Cleanup removes the rows from the old database, once; reads go on from the new one.
        HttpResponse<Buffer> cleaned = Moves.admin(app.client(), app.managementPort(), HttpMethod.POST,
            "/admin/shards/" + logical + "/cleanup", null);
        assertEquals(200, cleaned.statusCode(), cleaned.bodyAsString());
        assertEquals(Moves.rows(atSource), cleaned.bodyAsJsonObject().getLong("rowsRemoved"));
        assertEquals(0, Moves.rows(Moves.contents(app.databases().get(source), logical)));
        assertEquals(409, Moves.admin(app.client(), app.managementPort(), HttpMethod.POST,
            "/admin/shards/" + logical + "/cleanup", null).statusCode());
        assertEquals(200, b.get("/v1/posts/" + firstPost, fan).statusCode());
        assertEquals(200, a.get("/v1/users/" + author.id(), fan).statusCode());
      }
    } finally {
      Await.result(second.stop());
    }
  }

  private static List<Long> ids(List<String> rows) {
    return rows.stream().map(r -> new JsonObject(r).getLong("id")).toList();
  }
}
