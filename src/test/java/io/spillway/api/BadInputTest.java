package io.spillway.api;

import io.spillway.testkit.ApiClient;
import io.spillway.testkit.Await;
import io.spillway.testkit.ShardDb;
import io.spillway.testkit.SpillwayApp;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every kind of bad input gets its 4xx problem naming what was wrong, and nothing is written. */
class BadInputTest {
  @RegisterExtension
  static SpillwayApp app = SpillwayApp.create().withoutKafka()
      .configure(tree -> tree.getJsonObject("http").put("maxBodyBytes", 8192));
  static ApiClient api;
  static ApiClient.User user;
  static String postId;

  @BeforeAll
  static void setUp() {
    api = new ApiClient(app.client());
    user = api.newUser("careful");
    postId = api.post(user, "the only post").getString("id");
  }

  @Test
  void malformedIdsLimitsAndCursors() {
    assertProblem(api.get("/v1/users/abc", null), 400, "id:");
    assertProblem(api.get("/v1/users/-5", null), 400, "id:");
    assertProblem(api.get("/v1/users/99999999999999999999", null), 400, "id:");
    assertProblem(api.get("/v1/posts/1.5", null), 400, "id:");
    assertProblem(api.get("/v1/users/" + user.id() + "/posts?limit=0", null), 400, "limit");
    assertProblem(api.get("/v1/users/" + user.id() + "/posts?limit=101", null), 400, "limit");
    assertProblem(api.get("/v1/users/" + user.id() + "/posts?limit=ten", null), 400, "limit");
    assertProblem(api.get("/v1/users/" + user.id() + "/posts?cursor=garbage", null), 400, "cursor");
  }

  @Test
  void missingResourcesAre404() {
    assertProblem(api.get("/v1/users/" + (Long.parseLong(user.id()) + 1), null), 404, "user");
    assertProblem(api.get("/v1/posts/" + (Long.parseLong(postId) + 1), null), 404, "post");
    assertProblem(api.get("/v1/users/" + (Long.parseLong(user.id()) + 1) + "/posts", null), 404, "user");
    assertProblem(api.call(HttpMethod.PUT, "/v1/posts/" + (Long.parseLong(postId) + 1) + "/like", user, null), 404, "post");
    assertProblem(api.call(HttpMethod.PUT, "/v1/users/" + (Long.parseLong(user.id()) + 1) + "/follow", user, null),
        404, "user");
  }

  @Test
  void badBodiesAreRejectedBeforeAnythingIsWritten() {
    long before = postCount();
    assertProblem(api.call(HttpMethod.POST, "/v1/posts", user, new JsonObject()), 400, "text: is required");
    assertProblem(api.call(HttpMethod.POST, "/v1/posts", user, new JsonObject().put("text", "")), 400, "text");
    assertProblem(api.call(HttpMethod.POST, "/v1/posts", user, new JsonObject().put("text", 42)), 400,
        "text: must be a string");
    assertProblem(api.call(HttpMethod.POST, "/v1/posts", user, new JsonObject().put("text", "x".repeat(5001))), 400,
        "text: must be 1..5000 characters");
    assertProblem(api.call(HttpMethod.POST, "/v1/posts", user, new JsonObject().put("text", "ok").put("mood", "happy")),
        400, "mood: unknown field");
    assertProblem(raw("/v1/posts", "application/json", "{\"text\": "), 400, "not valid JSON");
    assertProblem(raw("/v1/posts", "application/json", "[1,2]"), 400, "JSON object");
    assertProblem(raw("/v1/posts", "text/plain", "hello"), 415, "application/json");
    assertProblem(raw("/v1/posts", "application/json", "{\"text\":\"" + "y".repeat(10_000) + "\"}"), 413, "larger");
    assertEquals(before, postCount(), "no bad request wrote anything");

    assertProblem(api.call(HttpMethod.POST, "/v1/users", null, new JsonObject().put("email", "not-an-email")
        .put("name", "X").put("password", "longenough")), 400, "email");
    assertProblem(api.call(HttpMethod.POST, "/v1/users", null, new JsonObject().put("email", "short@example.com")
        .put("name", "X").put("password", "short")), 400, "password");
    assertProblem(api.call(HttpMethod.POST, "/v1/users", null, new JsonObject().put("email", user.email())
        .put("name", "Again").put("password", "longenough")), 409, "already exists");
    assertProblem(api.call(HttpMethod.PATCH, "/v1/users/" + user.id(), user, new JsonObject().put("email", "x@y.z")),
        400, "email: unknown field");
  }

  @Test
  void authAndOwnership() {
    assertProblem(api.call(HttpMethod.POST, "/v1/posts", null, new JsonObject().put("text", "anon")), 401, "token");
    assertProblem(api.call(HttpMethod.GET, "/v1/feed", null, null), 401, "token");
    ApiClient.User other = api.newUser("intruder");
    assertProblem(api.call(HttpMethod.PATCH, "/v1/users/" + user.id(), other, new JsonObject().put("name", "Pwned")),
        403, "own profile");
    assertProblem(api.call(HttpMethod.PUT, "/v1/users/" + user.id() + "/follow", user, null), 400, "yourself");
    HttpResponse<Buffer> patched = api.call(HttpMethod.PATCH, "/v1/users/" + user.id(), user,
        new JsonObject().put("bio", "careful person"));
    assertEquals(200, patched.statusCode());
    assertEquals("careful person", patched.bodyAsJsonObject().getString("bio"));
    assertEquals(user.email(), patched.bodyAsJsonObject().getString("email"), "you see your own email");
    assertEquals(null, api.get("/v1/users/" + user.id(), other).bodyAsJsonObject().getString("email"),
        "others do not");
  }

  @Test
  void wrongEmailAndWrongPasswordGetTheSameAnswer() {
    HttpResponse<Buffer> wrongPassword = api.call(HttpMethod.POST, "/v1/auth/token", null,
        new JsonObject().put("email", user.email()).put("password", "not-the-password"));
    HttpResponse<Buffer> wrongEmail = api.call(HttpMethod.POST, "/v1/auth/token", null,
        new JsonObject().put("email", "nobody-" + user.email()).put("password", "not-the-password"));
    assertEquals(401, wrongPassword.statusCode());
    assertEquals(401, wrongEmail.statusCode());
    JsonObject a = wrongPassword.bodyAsJsonObject();
    JsonObject b = wrongEmail.bodyAsJsonObject();
    assertEquals(a.getString("type"), b.getString("type"));
    assertEquals(a.getString("detail"), b.getString("detail"));
    HttpResponse<Buffer> ok = api.call(HttpMethod.POST, "/v1/auth/token", null,
        new JsonObject().put("email", user.email().toUpperCase()).put("password", "password-careful"));
    assertEquals(200, ok.statusCode());
    assertEquals("Bearer", ok.bodyAsJsonObject().getString("token_type"));
    assertTrue(ok.bodyAsJsonObject().getInteger("expires_in") > 0);
  }

  private HttpResponse<Buffer> raw(String path, String contentType, String body) {
    return Await.result(app.client().post(path).putHeader("Authorization", "Bearer " + user.token())
        .putHeader("Content-Type", contentType).sendBuffer(Buffer.buffer(body)));
  }

  private long postCount() {
    long total = 0;
    for (String db : app.databases()) {
      try (ShardDb s = new ShardDb(db)) {
        total += s.count("SELECT count(*) FROM posts");
      }
    }
    return total;
  }

  static void assertProblem(HttpResponse<Buffer> r, int status, String detailFragment) {
    assertEquals(status, r.statusCode(), r.bodyAsString());
    assertEquals("application/problem+json", r.getHeader("Content-Type"));
    JsonObject p = r.bodyAsJsonObject();
    assertEquals(status, p.getInteger("status"));
    assertTrue(p.getString("detail").contains(detailFragment), "detail should mention '" + detailFragment + "': "
        + p.getString("detail"));
    assertTrue(p.containsKey("requestId") && p.containsKey("type") && p.containsKey("title"));
  }
}
