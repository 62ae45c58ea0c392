package io.spillway.reshard;

import io.spillway.Spillway;
import io.spillway.data.ShardRouter;
import io.spillway.server.ShardCommand;
import io.spillway.testkit.ApiClient;
import io.spillway.testkit.Await;
import io.spillway.testkit.ShardDb;
import io.spillway.testkit.SpillwayApp;
import io.spillway.testkit.TestHttp;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The move's controls: bad requests are refused with a problem and change nothing, a move cancelled before
 * its cut-over leaves no trace on the target, and a move whose node stops mid-copy is finished by another
 * node from where it stood. Copies go in small, paced batches so a test can act while one is under way.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ShardMoveControlTest {
  private static final int SEEDED_POSTS = 150;

  @RegisterExtension
  static SpillwayApp app = SpillwayApp.create().configure(tree -> {
    tree.getJsonObject("data").put("resharding", new JsonObject().put("copyBatchRows", 10).put("batchPauseMs", 100)
        .put("pollMs", 200).put("retryMs", 200));
    tree.put("outbox", new JsonObject().put("pollIntervalMs", 200));
  });

  private static final Set<Integer> used = new HashSet<>();

  @Test
  @Order(1)
  void refusesBadRequestsWithProblems() {
    WebClient c = app.client();
    int port = app.managementPort();
    JsonObject before = Moves.status(c, port);
    int at = before.getJsonArray("map").getInteger(3);
    problem(400, Moves.admin(c, port, HttpMethod.POST, "/admin/shards/abc/move", new JsonObject().put("to", 1)));
    problem(400, Moves.admin(c, port, HttpMethod.POST, "/admin/shards/64/move", new JsonObject().put("to", 1)));
    problem(400, Moves.admin(c, port, HttpMethod.POST, "/admin/shards/-1/move", new JsonObject().put("to", 1)));
    problem(400, Moves.admin(c, port, HttpMethod.POST, "/admin/shards/3/move", new JsonObject()));
    problem(400, Moves.admin(c, port, HttpMethod.POST, "/admin/shards/3/move", new JsonObject().put("to", 2)));
    problem(400, Moves.admin(c, port, HttpMethod.POST, "/admin/shards/3/move", new JsonObject().put("to", "nowhere")));
    problem(400, Moves.admin(c, port, HttpMethod.POST, "/admin/shards/3/move", new JsonObject().put("to", true)));
    problem(400, Moves.admin(c, port, HttpMethod.POST, "/admin/shards/3/move",
        new JsonObject().put("to", 1 - at).put("also", 1)));
    problem(415, send(SpillwayApp.admin(c, HttpMethod.POST, port, "/admin/shards/3/move")
        .putHeader("Content-Type", "text/plain").sendBuffer(Buffer.buffer("to=1"))));
    problem(409, Moves.admin(c, port, HttpMethod.POST, "/admin/shards/3/move", new JsonObject().put("to", at)));
    problem(409, Moves.admin(c, port, HttpMethod.POST, "/admin/shards/3/move",
        new JsonObject().put("to", app.databases().get(at))));
    problem(404, Moves.admin(c, port, HttpMethod.DELETE, "/admin/shards/3/move", null));
    problem(404, Moves.admin(c, port, HttpMethod.POST, "/admin/shards/3/cleanup", null));
    problem(401, send(c.request(HttpMethod.POST, port, "127.0.0.1", "/admin/shards/3/move")
        .sendJsonObject(new JsonObject().put("to", 1 - at))));
    problem(401, send(c.request(HttpMethod.GET, port, "127.0.0.1", "/admin/shards").send()));
    // The same from a shell.
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    assertEquals(0, cli(out, err, "status"), err.toString());
    assertTrue(out.toString().startsWith("200 {"), out.toString());
    assertEquals(2, cli(out, err, "move", "3"), "a command without its database is not sent");
    assertEquals(1, cli(out, err, "move", "3", String.valueOf(at)));
    assertTrue(err.toString().contains("409") && err.toString().contains("already on database"), err.toString());
    assertEquals(1, cli(out, err, "move", "x3", "1"));
    assertTrue(err.toString().contains("400"), err.toString());
    JsonObject after = Moves.status(c, port);
    assertEquals(before.getLong("version"), after.getLong("version"), "no bad request changed the map");
    assertEquals(List.of(), after.getJsonArray("moves").getList(), "and none started a move");
  }

  @Test
  @Order(2)
  void aCancelledMoveLeavesTheShardWhereItWas() {
    ApiClient api = new ApiClient(app.client());
    ApiClient.User owner = userOnAFreshShard(api, "cancelled");
    int logical = ShardRouter.logicalOf(Long.parseLong(owner.id()));
    int source = Moves.status(app.client(), app.managementPort()).getJsonArray("map").getInteger(logical);
    int target = 1 - source;
    seedPosts(app.databases().get(source), owner);
    long version = Moves.status(app.client(), app.managementPort()).getLong("version");

    assertEquals(202, Moves.admin(app.client(), app.managementPort(), HttpMethod.POST, "/admin/shards/" + logical
        + "/move", new JsonObject().put("to", app.databases().get(target))).statusCode());
    Moves.await(app.client(), app.managementPort(), logical, "copying", m -> m.getLong("rowsCopied") > 0);
    problem(409, Moves.admin(app.client(), app.managementPort(), HttpMethod.POST, "/admin/shards/" + logical + "/move",
        new JsonObject().put("to", target)));
    // While the source fences the shard (as during a cut-over), a write to it is a 503 to retry, not an error.
    try (ShardDb db = new ShardDb(app.databases().get(source))) {
      db.query("UPDATE shard_capture SET state = 'fenced' WHERE logical = $1", logical);
      HttpResponse<Buffer> fenced = api.call(HttpMethod.POST, "/v1/posts", owner, new JsonObject().put("text", "fenced"));
      db.query("UPDATE shard_capture SET state = 'capture' WHERE logical = $1", logical);
      problem(503, fenced);
      assertEquals("1", fenced.getHeader("Retry-After"));
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    assertEquals(0, cli(out, new ByteArrayOutputStream(), "cancel", String.valueOf(logical)), "cancelled from a shell");
    assertTrue(out.toString().startsWith("202 "), out.toString());
    assertTrue(new JsonObject(out.toString().substring(4).trim()).getBoolean("cancelRequested"));
    Moves.await(app.client(), app.managementPort(), logical, "cancelled", Moves.phase("cancelled"));

    assertEquals(0, Moves.rows(Moves.contents(app.databases().get(target), logical)), "no copied row is left");
    try (ShardDb db = new ShardDb(app.databases().get(source))) {
      assertEquals(0, db.count("SELECT count(*) FROM shard_capture"), "the source captures nothing any more");
      assertEquals(0, db.count("SELECT count(*) FROM shard_changes"));
    }
    JsonObject status = Moves.status(app.client(), app.managementPort());
    assertEquals(version, status.getLong("version"), "the map did not change");
    assertEquals(source, status.getJsonArray("map").getInteger(logical));
    assertEquals(201, api.call(HttpMethod.POST, "/v1/posts", owner, new JsonObject().put("text", "still here"))
        .statusCode(), "the shard takes writes where it is");
  }

  @Test
  @Order(3)
  void aMoveWhoseNodeStopsMidCopyIsFinishedByAnother() {
    Spillway second = app.startSecondNode();
    try (TestHttp.Counted onSecond = TestHttp.client(app.clientVertx(), second.config().http().port())) {
      ApiClient api = new ApiClient(app.client());
      ApiClient.User owner = userOnAFreshShard(api, "resumed");
      int logical = ShardRouter.logicalOf(Long.parseLong(owner.id()));
      int source = Moves.status(app.client(), app.managementPort()).getJsonArray("map").getInteger(logical);
      int target = 1 - source;
      seedPosts(app.databases().get(source), owner);
      Map<String, List<String>> before = Moves.contents(app.databases().get(source), logical);

      assertEquals(202, Moves.admin(app.client(), app.managementPort(), HttpMethod.POST, "/admin/shards/" + logical
          + "/move", new JsonObject().put("to", target)).statusCode());
      JsonObject copying = Moves.await(app.client(), app.managementPort(), logical, "copying",
          m -> m.getLong("rowsCopied") > 0 && "copy".equals(m.getString("phase")));
      assertTrue(copying.getLong("rowsCopied") < Moves.rows(before), "the copy is under way: " + copying.encode());
      // Stop whichever node runs the moves; the other one takes over.
      int secondPort = second.config().management().port();
      boolean firstLeads = Moves.status(app.client(), app.managementPort()).getBoolean("runsMoves");
      WebClient survivor = firstLeads ? onSecond.web() : app.client();
      int survivorPort = firstLeads ? secondPort : app.managementPort();
      Await.result((firstLeads ? app.node() : second).stop());

      JsonObject done = Moves.await(survivor, survivorPort, logical, "done", Moves.phase("done"));
      assertTrue(Moves.status(survivor, survivorPort).getBoolean("runsMoves"), "the other node took over");
      assertEquals(Moves.rows(before), done.getLong("rowsCopied"),
          "the copy went on from where it stood: each row copied once (" + copying.getLong("rowsCopied")
              + " before the stop)");
      assertEquals(before, Moves.contents(app.databases().get(target), logical), "the target has every row");
      assertEquals(200, new ApiClient(firstLeads ? onSecond.web() : app.client())
          .get("/v1/users/" + owner.id() + "/posts?limit=100", owner).statusCode());
    } finally {
      Await.result(second.stop());
    }
  }

  /** A new user whose logical shard no other test here moved. */
  private static ApiClient.User userOnAFreshShard(ApiClient api, String name) {
    for (int i = 0; ; i++) {
      ApiClient.User u = api.newUser(name + i);
      if (used.add(ShardRouter.logicalOf(Long.parseLong(u.id())))) {
        return u;
      }
    }
  }

  /** Posts written straight into the shard's database: enough rows that a paced copy takes a while. */
  private static void seedPosts(String database, ApiClient.User owner) {
    long id = Long.parseLong(owner.id());
    try (ShardDb db = new ShardDb(database)) {
      db.query("INSERT INTO posts (id, author_id, text) SELECT next_id($1), $2, 'seeded ' || g "
          + "FROM generate_series(1, " + SEEDED_POSTS + ") g", ShardRouter.logicalOf(id), id);
      db.query("UPDATE users SET post_count = post_count + " + SEEDED_POSTS + " WHERE id = $1", id);
    }
  }

  private static HttpResponse<Buffer> send(Future<HttpResponse<Buffer>> f) {
    return Await.result(f);
  }

  private static int cli(ByteArrayOutputStream out, ByteArrayOutputStream err, String... args) {
    return ShardCommand.run(app.config(), List.of(args), new PrintStream(out, true), new PrintStream(err, true));
  }

  private static void problem(int status, HttpResponse<Buffer> r) {
    assertEquals(status, r.statusCode(), r.bodyAsString());
    assertEquals("application/problem+json", r.getHeader("Content-Type"), r.bodyAsString());
    assertTrue(r.bodyAsJsonObject().getString("detail") != null, r.bodyAsString());
  }
}
