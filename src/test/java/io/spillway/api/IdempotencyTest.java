package io.spillway.api;

import io.spillway.data.ShardRouter;
import io.spillway.testkit.ApiClient;
import io.spillway.testkit.Await;
import io.spillway.testkit.ShardDb;
import io.spillway.testkit.SpillwayApp;
import io.spillway.testkit.TestHttp;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class IdempotencyTest {
  @RegisterExtension
  static SpillwayApp app = SpillwayApp.create().withoutKafka();

  private Future<HttpResponse<Buffer>> createPost(ApiClient.User u, String key, String text) {
    return app.client().post("/v1/posts").putHeader("Authorization", "Bearer " + u.token())
        .putHeader("Idempotency-Key", key).sendJsonObject(new JsonObject().put("text", text));
  }

  @Test
  void aRetryWithTheSameKeyReturnsTheFirstResponseAndWritesOnce() {
    ApiClient api = new ApiClient(app.client());
    ApiClient.User u = api.newUser("retrier");
    HttpResponse<Buffer> first = Await.result(createPost(u, "key-1", "exactly once"));
    HttpResponse<Buffer> retry = Await.result(createPost(u, "key-1", "exactly once"));
    assertEquals(201, first.statusCode());
    assertEquals(201, retry.statusCode());
    assertEquals(first.bodyAsJsonObject(), retry.bodyAsJsonObject());
    assertEquals(first.getHeader("Location"), retry.getHeader("Location"));
    assertEquals(1, postsInDb(u));

    HttpResponse<Buffer> different = Await.result(createPost(u, "key-1", "another text"));
    assertEquals(422, different.statusCode());
    assertEquals("application/problem+json", different.getHeader("Content-Type"));
    assertEquals(1, postsInDb(u));

    // Keys are per caller: another user may use the same key.
    ApiClient.User other = api.newUser("other");
    assertEquals(201, Await.result(createPost(other, "key-1", "exactly once")).statusCode());
  }

  @Test
  void concurrentRetriesStillWriteOnce() {
    ApiClient api = new ApiClient(app.client());
    ApiClient.User u = api.newUser("racer");
    List<Future<HttpResponse<Buffer>>> all = new ArrayList<>();
    try (TestHttp.Counted burst = app.concurrentClient()) {
      for (int i = 0; i < 10; i++) {
        all.add(burst.web().post("/v1/posts").putHeader("Authorization", "Bearer " + u.token())
            .putHeader("Idempotency-Key", "race-key").sendJsonObject(new JsonObject().put("text", "raced")));
      }
      Await.result(Future.join(all).otherwiseEmpty());
      assertTrue(burst.connections() >= 5, "the 10 retries overlapped on only " + burst.connections() + " connections");
    }
    // The key's record is written in the post's transaction: a concurrent retry waits for the first to
    // commit and gets its response, instead of a 409 to retry later.
    JsonObject first = all.get(0).result().bodyAsJsonObject();
    all.forEach(f -> {
      assertEquals(201, f.result().statusCode(), f.result().bodyAsString());
      assertEquals(first, f.result().bodyAsJsonObject(), "every 201 is the one post (the first, or its replay)");
    });
    assertEquals(1, postsInDb(u));
  }

  @Test
  void signUpIsIdempotentToo() {
    JsonObject body = new JsonObject().put("email", "idem-signup@example.com").put("name", "Idem").put("password", "longenough");
    HttpResponse<Buffer> a = Await.result(app.client().post("/v1/users").putHeader("Idempotency-Key", "signup-1")
        .sendJsonObject(body));
    HttpResponse<Buffer> b = Await.result(app.client().post("/v1/users").putHeader("Idempotency-Key", "signup-1")
        .sendJsonObject(body));
    assertEquals(201, a.statusCode());
    assertEquals(201, b.statusCode(), "the replay, not a 409 duplicate-email");
    assertEquals(a.bodyAsJsonObject().getString("id"), b.bodyAsJsonObject().getString("id"));
    HttpResponse<Buffer> tooLong = Await.result(app.client().post("/v1/users")
        .putHeader("Idempotency-Key", "k".repeat(256)).sendJsonObject(body));
    assertEquals(400, tooLong.statusCode());
  }

  private long postsInDb(ApiClient.User u) {
    long id = Long.parseLong(u.id());
    int shard = new ShardRouter(app.config().data()).physicalOfId(id);
    try (ShardDb db = new ShardDb(app.databases().get(shard))) {
      return db.count("SELECT count(*) FROM posts WHERE author_id = $1", id);
    }
  }
}
