package io.spillway.api;

import io.spillway.data.ShardRouter;
import io.spillway.testkit.ApiClient;
import io.spillway.testkit.Await;
import io.spillway.testkit.ShardDb;
import io.spillway.testkit.SpillwayApp;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.sqlclient.Row;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A post, its counter and its outbox event commit together or not at all. */
class OutboxAtomicityTest {
  @RegisterExtension
  static SpillwayApp app = SpillwayApp.create().withoutKafka();

  @Test
  void aPostAndItsOutboxRowCommitTogether() {
    ApiClient api = new ApiClient(app.client());
    ApiClient.User u = api.newUser("atomic");
    long userId = Long.parseLong(u.id());
    String db = app.databases().get(new ShardRouter(app.config().data()).physicalOfId(userId));
    try (ShardDb shard = new ShardDb(db)) {
      String traceId = "0af7651916cd43dd8448eb211c80319c";
      String postId = Await.result(app.client().post("/v1/posts").putHeader("Authorization", "Bearer " + u.token())
          .putHeader("traceparent", "00-" + traceId + "-b7ad6b7169203331-01")
          .sendJsonObject(new JsonObject().put("text", "committed"))).bodyAsJsonObject().getString("id");
      List<Row> events = shard.query("SELECT channel, event FROM outbox WHERE channel = $1", "posts:" + u.id());
      assertEquals(1, events.size());
      JsonObject event = (JsonObject) events.get(0).getValue("event");
      assertEquals("spillway.post.created", event.getString("type"));
      assertEquals(postId, event.getJsonObject("data").getString("postId"));
      assertEquals("1.0", event.getString("specversion"));
      assertTrue(event.getString("traceparent").startsWith("00-" + traceId + "-"),
          "the event carries the write's trace: " + event.getString("traceparent"));

      // Make the outbox refuse rows: the post insert and the counter bump must roll back with it.
      shard.query("ALTER TABLE outbox ADD CONSTRAINT outbox_refuses CHECK (channel = 'never') NOT VALID");
      try {
        HttpResponse<Buffer> failed = api.call(HttpMethod.POST, "/v1/posts", u, new JsonObject().put("text", "lost"));
        assertEquals(500, failed.statusCode(), failed.bodyAsString());
        assertEquals("application/problem+json", failed.getHeader("Content-Type"));
      } finally {
        shard.query("ALTER TABLE outbox DROP CONSTRAINT outbox_refuses");
      }
      assertEquals(0, shard.count("SELECT count(*) FROM posts WHERE text = 'lost'"));
      assertEquals(1, shard.count("SELECT post_count FROM counted_users WHERE id = $1", userId));
      assertEquals(1, shard.count("SELECT count(*) FROM outbox WHERE channel = $1", "posts:" + u.id()));
    }
  }
}
