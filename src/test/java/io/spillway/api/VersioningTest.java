package io.spillway.api;

import io.spillway.testkit.ApiClient;
import io.spillway.testkit.Await;
import io.spillway.testkit.SpillwayApp;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Instant;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** v1 answers exactly as before, with its deprecation headers; v2 (by path or by Accept) answers in its own shapes. */
class VersioningTest {
  private static final String V2 = "application/vnd.spillway.v2+json";

  @RegisterExtension
  static SpillwayApp app = SpillwayApp.create().withoutKafka().configure(tree -> tree.put("api", new JsonObject()
      .put("v1", new JsonObject().put("deprecation", "2026-12-01T00:00:00Z").put("sunset", "2027-06-01T00:00:00Z")
          .put("deprecationLink", "https://spillway.dev/docs/versioning"))));

  private final ApiClient api = new ApiClient(app.client());

  @Test
  void aV1ClientSeesExactlyTheBytesItSawBefore() {
    ApiClient.User ada = api.newUser("Ada");
    ApiClient.User bob = api.newUser("Bob");
    JsonObject created = api.post(ada, "hello v1");
    String postId = created.getString("id");
    String postCreatedAt = created.getString("createdAt");
    api.call(HttpMethod.PUT, "/v1/users/" + ada.id() + "/follow", bob, null);
    HttpResponse<Buffer> profile = api.get("/v1/users/" + ada.id(), bob);
    String userCreatedAt = profile.bodyAsJsonObject().getString("createdAt");
    // The v1 shapes, field for field and in their order, as v1 has always encoded them.
    assertEquals("{\"id\":\"" + ada.id() + "\",\"name\":\"Ada\",\"bio\":\"\",\"postCount\":1,\"followerCount\":1,"
        + "\"followingCount\":0,\"createdAt\":\"" + userCreatedAt + "\"}", profile.bodyAsString());
    assertEquals(Instant.parse(userCreatedAt).toString(), userCreatedAt, "v1 times are Instant.toString()");
    String post = "{\"id\":\"" + postId + "\",\"authorId\":\"" + ada.id() + "\",\"text\":\"hello v1\",\"likeCount\":0,"
        + "\"commentCount\":0,\"createdAt\":\"" + postCreatedAt + "\",\"author\":{\"id\":\"" + ada.id()
        + "\",\"name\":\"Ada\"}}";
    assertEquals(post, api.get("/v1/posts/" + postId, null).bodyAsString());
    assertEquals("{\"items\":[" + post + "],\"next\":null}", api.get("/v1/users/" + ada.id() + "/posts", null).bodyAsString());
    assertEquals("{\"postId\":\"" + postId + "\",\"liked\":true,\"likeCount\":1}",
        api.call(HttpMethod.PUT, "/v1/posts/" + postId + "/like", bob, null).bodyAsString());
    assertEquals("{\"userId\":\"" + ada.id() + "\",\"following\":true}",
        api.call(HttpMethod.PUT, "/v1/users/" + ada.id() + "/follow", bob, null).bodyAsString());
    assertEquals("application/json", api.get("/v1/posts/" + postId, null).getHeader("Content-Type"));
  }

  @Test
  void v1ResponsesAreDeprecatedWithTheConfiguredDatesAndNameTheirSuccessor() {
    ApiClient.User ada = api.newUser("Dep");
    HttpResponse<Buffer> r = api.get("/v1/users/" + ada.id(), null);
    assertEquals(200, r.statusCode());
    assertEquals("@" + Instant.parse("2026-12-01T00:00:00Z").getEpochSecond(), r.getHeader("Deprecation"));
    assertEquals("Tue, 01 Jun 2027 00:00:00 GMT", r.getHeader("Sunset"));
    assertEquals(List.of("</v2/users/" + ada.id() + ">; rel=\"successor-version\"",
        "<https://spillway.dev/docs/versioning>; rel=\"deprecation\""), r.headers().getAll("Link"));
    assertEquals("Accept", r.getHeader("Vary"));
    HttpResponse<Buffer> problem = api.get("/v1/users/" + (Long.parseLong(ada.id()) + 1), null);
    assertEquals(404, problem.statusCode());
    assertTrue(problem.getHeader("Deprecation") != null, "problems of v1 are deprecated too");
    HttpResponse<Buffer> v2 = api.get("/v2/users/" + ada.id(), null);
    assertNull(v2.getHeader("Deprecation"));
    assertNull(v2.getHeader("Sunset"));
    assertEquals("Accept", v2.getHeader("Vary"));
  }

  @Test
  void theV2MediaTypeOnAV1PathAnswersInV2() {
    ApiClient.User ada = api.newUser("Accept");
    HttpResponse<Buffer> v1 = api.get("/v1/users/" + ada.id(), null);
    HttpResponse<Buffer> negotiated = get("/v1/users/" + ada.id(), null, V2);
    HttpResponse<Buffer> v2 = api.get("/v2/users/" + ada.id(), null);
    assertEquals(v2.bodyAsJsonObject(), negotiated.bodyAsJsonObject());
    assertEquals(V2, negotiated.getHeader("Content-Type"));
    assertEquals("application/json", v2.getHeader("Content-Type"));
    assertNull(negotiated.getHeader("Deprecation"), "a v2 answer is not deprecated");
    assertEquals("Accept", negotiated.getHeader("Vary"));
    assertNotEquals(v1.getHeader("ETag"), negotiated.getHeader("ETag"), "each representation has its own tag");
    assertEquals(304, Await.result(app.client().get("/v1/users/" + ada.id()).putHeader("Accept", V2)
        .putHeader("If-None-Match", negotiated.getHeader("ETag")).send()).statusCode());
    assertEquals(200, Await.result(app.client().get("/v1/users/" + ada.id())
        .putHeader("If-None-Match", negotiated.getHeader("ETag")).send()).statusCode(), "v1's tag differs");
    assertEquals(V2, get("/v1/users/" + ada.id(), null, "application/json;q=0.5, " + V2).getHeader("Content-Type"));
    assertEquals(v1.bodyAsString(), get("/v1/users/" + ada.id(), null, V2 + ";q=0").bodyAsString(), "q=0 refuses v2");
  }

  @Test
  void v2GroupsCountsEmbedsAuthorsFormatsTimesAndPagesWithLinks() {
    ApiClient.User ada = api.newUser("Shape");
    ApiClient.User bob = api.newUser("Reader");
    for (int i = 1; i <= 3; i++) {
      api.post(ada, "post " + i);
    }
    JsonObject user = api.get("/v2/users/" + ada.id(), null).bodyAsJsonObject();
    assertEquals(new JsonObject().put("posts", 3).put("followers", 0).put("following", 0), user.getJsonObject("stats"));
    assertFalse(user.containsKey("postCount"));
    assertTrue(user.getString("createdAt").matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z"), user.encode());
    assertEquals("/v2/users/" + ada.id() + "/posts", user.getJsonObject("links").getString("posts"));

    JsonObject page = api.get("/v2/users/" + ada.id() + "/posts?limit=2", null).bodyAsJsonObject();
    JsonArray data = page.getJsonArray("data");
    assertEquals(2, data.size());
    JsonObject newest = data.getJsonObject(0);
    assertEquals("post 3", newest.getString("text"));
    assertEquals(new JsonObject().put("id", ada.id()).put("name", "Shape"), newest.getJsonObject("author"));
    assertFalse(newest.containsKey("authorId"));
    assertEquals(new JsonObject().put("likes", 0).put("comments", 0), newest.getJsonObject("stats"));
    assertEquals("/v2/users/" + ada.id() + "/posts?limit=2", page.getJsonObject("links").getString("self"));
    String next = page.getJsonObject("links").getString("next");
    assertEquals(page.getJsonObject("page").getString("next"), next.substring(next.indexOf("cursor=") + 7));
    JsonObject second = api.get(next, null).bodyAsJsonObject();
    assertEquals("post 1", second.getJsonArray("data").getJsonObject(0).getString("text"));
    assertNull(second.getJsonObject("links").getString("next"));

    // The cached v2 post follows writes as the v1 one does: a like shows at once in both.
    String postId = newest.getString("id");
    assertEquals(0, api.get("/v2/posts/" + postId, null).bodyAsJsonObject().getJsonObject("stats").getInteger("likes"));
    JsonObject liked = api.call(HttpMethod.PUT, "/v2/posts/" + postId + "/like", bob, null).bodyAsJsonObject();
    assertEquals(new JsonObject().put("postId", postId).put("liked", true).put("stats", new JsonObject().put("likes", 1)), liked);
    assertEquals(1, api.get("/v2/posts/" + postId, null).bodyAsJsonObject().getJsonObject("stats").getInteger("likes"));
    assertEquals(1, api.get("/v1/posts/" + postId, null).bodyAsJsonObject().getInteger("likeCount"));

    // A comment names its author in v2, also when just created.
    JsonObject comment = api.call(HttpMethod.POST, "/v2/posts/" + postId + "/comments", bob,
        new JsonObject().put("text", "hi")).bodyAsJsonObject();
    assertEquals(new JsonObject().put("id", bob.id()).put("name", "Reader"), comment.getJsonObject("author"));
    JsonObject renamed = api.call(HttpMethod.PATCH, "/v2/users/" + ada.id(), ada, new JsonObject().put("name", "Renamed"))
        .bodyAsJsonObject();
    assertEquals("Renamed", renamed.getString("name"));
    assertEquals("Renamed", api.get("/v2/users/" + ada.id(), bob).bodyAsJsonObject().getString("name"),
        "the derived v2 entry is dropped with the v1 one");
    assertEquals("Renamed", api.get("/v2/posts/" + postId, null).bodyAsJsonObject().getJsonObject("author").getString("name"));
  }

  private static HttpResponse<Buffer> get(String path, ApiClient.User as, String accept) {
    HttpRequest<Buffer> req = app.client().get(path).putHeader("Accept", accept);
    if (as != null) {
      req.putHeader("Authorization", "Bearer " + as.token());
    }
    return Await.result(req.send());
  }
}
