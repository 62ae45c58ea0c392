package io.spillway.api;

import io.spillway.testkit.ApiClient;
import io.spillway.testkit.Await;
import io.spillway.testkit.SpillwayApp;
import io.spillway.testkit.TestHttp;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LikesAndCommentsTest {
  @RegisterExtension
  static SpillwayApp app = SpillwayApp.create().withoutKafka();

  @Test
  void concurrentLikesGiveAnExactCount() {
    ApiClient api = new ApiClient(app.client());
    ApiClient.User author = api.newUser("liked");
    String postId = api.post(author, "like me").getString("id");
    List<ApiClient.User> fans = new ArrayList<>();
    for (int i = 0; i < 24; i++) {
      fans.add(api.newUser("liker" + i));
    }
    // Every fan likes twice, all at once: 48 concurrent PUTs, 24 distinct likes, then 20 concurrent DELETEs.
    try (TestHttp.Counted burst = app.concurrentClient()) {
      ApiClient concurrent = new ApiClient(burst.web());
      List<Future<HttpResponse<Buffer>>> likes = new ArrayList<>();
      for (ApiClient.User fan : fans) {
        likes.add(concurrent.send(HttpMethod.PUT, "/v1/posts/" + postId + "/like", fan, null));
        likes.add(concurrent.send(HttpMethod.PUT, "/v1/posts/" + postId + "/like", fan, null));
      }
      Await.result(Future.all(likes));
      likes.forEach(f -> assertEquals(200, f.result().statusCode(), f.result().bodyAsString()));
      // A pool opens a connection only when every open one is busy: this many likes were in flight together.
      assertTrue(burst.connections() >= 24, "the 48 likes overlapped on only " + burst.connections() + " connections");
      assertEquals(24, api.get("/v1/posts/" + postId, null).bodyAsJsonObject().getInteger("likeCount"));

      List<Future<HttpResponse<Buffer>>> unlikes = new ArrayList<>();
      for (ApiClient.User fan : fans.subList(0, 10)) {
        unlikes.add(concurrent.send(HttpMethod.DELETE, "/v1/posts/" + postId + "/like", fan, null));
        unlikes.add(concurrent.send(HttpMethod.DELETE, "/v1/posts/" + postId + "/like", fan, null));
      }
      Await.result(Future.all(unlikes));
      unlikes.forEach(f -> assertEquals(200, f.result().statusCode(), f.result().bodyAsString()));
      assertEquals(14, api.get("/v1/posts/" + postId, null).bodyAsJsonObject().getInteger("likeCount"));
    }
  }

  /**
   * One author's post count is spread over counter slots: 18 posts at once (under the per-client cap of 20 in
   * flight), then 3 deletes at once, and the count is exact; follows and unfollows move the follower and
   * following counts through the same slots. (The follows go one at a time: each holds a connection of the
   * follower's shard while it waits for one of the followee's, and the test pools have 4.)
   */
  @Test
  void concurrentPostsOfOneAuthorAndFollowsGiveExactCounts() {
    ApiClient api = new ApiClient(app.client());
    ApiClient.User author = api.newUser("busy");
    List<ApiClient.User> fans = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      ApiClient.User fan = api.newUser("follower" + i);
      assertEquals(200, api.call(HttpMethod.PUT, "/v1/users/" + author.id() + "/follow", fan, null).statusCode());
      fans.add(fan);
    }
    for (ApiClient.User fan : fans.subList(0, 3)) {
      assertEquals(200, api.call(HttpMethod.DELETE, "/v1/users/" + author.id() + "/follow", fan, null).statusCode());
    }
    try (TestHttp.Counted burst = app.concurrentClient()) {
      ApiClient concurrent = new ApiClient(burst.web());
      List<Future<HttpResponse<Buffer>>> posts = new ArrayList<>();
      for (int i = 0; i < 18; i++) {
        posts.add(concurrent.send(HttpMethod.POST, "/v1/posts", author, new JsonObject().put("text", "post " + i)));
      }
      Await.result(Future.all(posts));
      posts.forEach(f -> assertEquals(201, f.result().statusCode(), f.result().bodyAsString()));
      List<Future<HttpResponse<Buffer>>> deletes = new ArrayList<>();
      for (int i = 0; i < 3; i++) {
        String id = posts.get(i).result().bodyAsJsonObject().getString("id");
        deletes.add(concurrent.send(HttpMethod.DELETE, "/v1/posts/" + id, author, null));
      }
      Await.result(Future.all(deletes));
      deletes.forEach(f -> assertEquals(204, f.result().statusCode(), f.result().bodyAsString()));
    }
    JsonObject user = api.get("/v1/users/" + author.id(), null).bodyAsJsonObject();
    assertEquals(15, user.getInteger("postCount"));
    assertEquals(5, user.getInteger("followerCount"));
    assertEquals(1, api.get("/v1/users/" + fans.get(7).id(), null).bodyAsJsonObject().getInteger("followingCount"));
    assertEquals(0, api.get("/v1/users/" + fans.get(0).id(), null).bodyAsJsonObject().getInteger("followingCount"));
  }

  @Test
  void commentsLiveWithTheirPostAndPaginate() {
    ApiClient api = new ApiClient(app.client());
    ApiClient.User author = api.newUser("poster");
    ApiClient.User commenter = api.newUser("commenter");
    String postId = api.post(author, "discuss").getString("id");
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < 12; i++) {
      HttpResponse<Buffer> r = api.call(HttpMethod.POST, "/v1/posts/" + postId + "/comments", commenter,
          new JsonObject().put("text", "comment " + i));
      assertEquals(201, r.statusCode(), r.bodyAsString());
      ids.add(0, r.bodyAsJsonObject().getString("id"));
      assertTrue(r.getHeader("Location").startsWith("/v1/posts/" + postId + "/comments/"));
    }
    List<String> seen = new ArrayList<>();
    String cursor = null;
    do {
      JsonObject page = api.get("/v1/posts/" + postId + "/comments?limit=5" + (cursor == null ? "" : "&cursor=" + cursor),
          null).bodyAsJsonObject();
      page.getJsonArray("items").forEach(c -> {
        seen.add(((JsonObject) c).getString("id"));
        assertEquals("commenter", ((JsonObject) c).getJsonObject("author").getString("name"));
      });
      cursor = page.getString("next");
    } while (cursor != null);
    assertEquals(ids, seen);
    assertEquals(12, api.get("/v1/posts/" + postId, null).bodyAsJsonObject().getInteger("commentCount"));
  }

  @Test
  void onlyTheAuthorDeletesAPost() {
    ApiClient api = new ApiClient(app.client());
    ApiClient.User author = api.newUser("owner");
    ApiClient.User other = api.newUser("other");
    String postId = api.post(author, "mine").getString("id");
    assertEquals(403, api.call(HttpMethod.DELETE, "/v1/posts/" + postId, other, null).statusCode());
    assertEquals(204, api.call(HttpMethod.DELETE, "/v1/posts/" + postId, author, null).statusCode());
    assertEquals(404, api.get("/v1/posts/" + postId, null).statusCode());
    assertEquals(0, api.get("/v1/users/" + author.id(), null).bodyAsJsonObject().getInteger("postCount"));
    assertEquals(404, api.call(HttpMethod.DELETE, "/v1/posts/" + postId, author, null).statusCode());
  }
}
