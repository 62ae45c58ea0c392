package io.spillway.api;

import io.spillway.testkit.ApiClient;
import io.spillway.testkit.ShardDb;
import io.spillway.testkit.SpillwayApp;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A NUL character (which PostgreSQL text cannot hold) or half a surrogate pair (which is not text) in any text
 * field is a 400 naming the field, never a 500.
 */
class NulCharacterTest {
  @RegisterExtension
  static SpillwayApp app = SpillwayApp.create().withoutKafka().shards(1);

  @Test
  void everyTextFieldRefusesNul() {
    ApiClient api = new ApiClient(app.client());
    ApiClient.User u = api.newUser("nul");
    String post = api.post(u, "a post").getString("id");
    long usersBefore;
    long postsBefore;
    try (ShardDb db = new ShardDb(app.databases().get(0))) {
      usersBefore = db.count("SELECT count(*) FROM users");
      postsBefore = db.count("SELECT count(*) FROM posts") + db.count("SELECT count(*) FROM comments");
    }
    assertField(api.call(HttpMethod.POST, "/v1/posts", u, new JsonObject().put("text", "a\u0000b")), "text");
    assertField(api.call(HttpMethod.POST, "/v1/posts/" + post + "/comments", u, new JsonObject().put("text", "\u0000")), "text");
    assertField(api.call(HttpMethod.POST, "/v1/users", null, new JsonObject().put("email", "nul@example.com")
        .put("name", "N\u0000L").put("password", "a-good-password")), "name");
    assertField(api.call(HttpMethod.POST, "/v1/users", null, new JsonObject().put("email", "n\u0000l@example.com")
        .put("name", "NUL").put("password", "a-good-password")), "email");
    assertField(api.call(HttpMethod.POST, "/v1/users", null, new JsonObject().put("email", "nul2@example.com")
        .put("name", "NUL").put("password", "a-good\u0000password")), "password");
    assertField(api.call(HttpMethod.PATCH, "/v1/users/" + u.id(), u, new JsonObject().put("name", "\u0000")), "name");
    assertField(api.call(HttpMethod.PATCH, "/v1/users/" + u.id(), u, new JsonObject().put("bio", "x\u0000")), "bio");
    assertField(api.call(HttpMethod.POST, "/v1/api-keys", u, new JsonObject().put("name", "k\u0000")), "name");
    assertField(api.call(HttpMethod.POST, "/v1/posts", u, new JsonObject().put("text", "half a pair: \ud800")), "text");
    assertField(api.call(HttpMethod.POST, "/v1/auth/token", null, new JsonObject().put("email", u.email())
        .put("password", "x\u0000")), "password");
    try (ShardDb db = new ShardDb(app.databases().get(0))) {
      assertEquals(usersBefore, db.count("SELECT count(*) FROM users"), "nothing was written");
      assertEquals(postsBefore, db.count("SELECT count(*) FROM posts") + db.count("SELECT count(*) FROM comments"));
    }
  }

  private static void assertField(HttpResponse<Buffer> r, String field) {
    assertEquals(400, r.statusCode(), r.bodyAsString());
    assertEquals("application/problem+json", r.getHeader("Content-Type"));
    assertEquals("https://spillway.dev/problems/invalid-field", r.bodyAsJsonObject().getString("type"));
    assertTrue(r.bodyAsJsonObject().getString("detail").startsWith(field + ":"), r.bodyAsString());
  }
}
