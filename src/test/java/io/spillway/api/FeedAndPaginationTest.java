package io.spillway.api;

import io.spillway.data.ShardRouter;
import io.spillway.testkit.ApiClient;
import io.spillway.testkit.SpillwayApp;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class FeedAndPaginationTest {
  @RegisterExtension
  static SpillwayApp app = SpillwayApp.create().withoutKafka();

  @Test
  void feedMergesPostsFromSeveralShardsNewestFirstAndPagesEachExactlyOnce() {
    ApiClient api = new ApiClient(app.client());
    ShardRouter router = new ShardRouter(app.config().data());
    ApiClient.User reader = api.newUser("reader");
    List<ApiClient.User> authors = new ArrayList<>();
    Set<Integer> shards = new HashSet<>();
    while (authors.size() < 6 || shards.size() < 2) {
      ApiClient.User a = api.newUser("author" + authors.size());
      authors.add(a);
      shards.add(router.physicalOfId(Long.parseLong(a.id())));
    }
    ApiClient.User stranger = api.newUser("stranger");
    for (ApiClient.User a : authors) {
      assertEquals(200, api.call(HttpMethod.PUT, "/v1/users/" + a.id() + "/follow", reader, null).statusCode());
    }
    List<String> expected = new ArrayList<>();
    for (int round = 0; round < 4; round++) {
      for (ApiClient.User a : authors) {
        expected.add(0, api.post(a, "round " + round + " by " + a.id()).getString("id"));
      }
      api.post(stranger, "not followed " + round);
    }

    List<String> seen = new ArrayList<>();
    String cursor = null;
    int pages = 0;
    do {
      HttpResponse<Buffer> r = api.get("/v1/feed?limit=5" + (cursor == null ? "" : "&cursor=" + cursor), reader);
      assertEquals(200, r.statusCode(), r.bodyAsString());
      JsonObject page = r.bodyAsJsonObject();
      JsonArray items = page.getJsonArray("items");
      assertTrue(items.size() <= 5);
      for (int i = 0; i < items.size(); i++) {
        JsonObject post = items.getJsonObject(i);
        seen.add(post.getString("id"));
        assertTrue(post.getJsonObject("author").getString("name").startsWith("author"), "authors are attached");
      }
      cursor = page.getString("next");
      pages++;
    } while (cursor != null && pages < 20);
    assertEquals(expected, seen, "every followed post exactly once, newest first, across shards");
  }

  @Test
  void userPostsPaginateWithKeysetCursors() {
    ApiClient api = new ApiClient(app.client());
    ApiClient.User u = api.newUser("prolific");
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < 23; i++) {
      ids.add(0, api.post(u, "post " + i).getString("id"));
    }
    List<String> seen = new ArrayList<>();
    String cursor = null;
    do {
      JsonObject page = api.get("/v1/users/" + u.id() + "/posts?limit=7" + (cursor == null ? "" : "&cursor=" + cursor),
          null).bodyAsJsonObject();
      page.getJsonArray("items").forEach(p -> seen.add(((JsonObject) p).getString("id")));
      cursor = page.getString("next");
    } while (cursor != null);
    assertEquals(ids, seen);
    assertEquals(20, api.get("/v1/users/" + u.id() + "/posts", null).bodyAsJsonObject().getJsonArray("items").size(),
        "default limit is 20");
    JsonObject user = api.get("/v1/users/" + u.id(), null).bodyAsJsonObject();
    assertEquals(23, user.getInteger("postCount"));
  }

  @Test
  void followersAndFollowingListBothSides() {
    ApiClient api = new ApiClient(app.client());
    ApiClient.User star = api.newUser("star");
    List<ApiClient.User> fans = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      ApiClient.User fan = api.newUser("fan" + i);
      fans.add(fan);
      api.call(HttpMethod.PUT, "/v1/users/" + star.id() + "/follow", fan, null);
    }
    // Following twice changes nothing.
    api.call(HttpMethod.PUT, "/v1/users/" + star.id() + "/follow", fans.get(0), null);
    JsonObject followers = api.get("/v1/users/" + star.id() + "/followers?limit=100", null).bodyAsJsonObject();
    assertEquals(5, followers.getJsonArray("items").size());
    assertNull(followers.getString("next"));
    assertEquals(5, api.get("/v1/users/" + star.id(), null).bodyAsJsonObject().getInteger("followerCount"));
    JsonObject following = api.get("/v1/users/" + fans.get(0).id() + "/following", null).bodyAsJsonObject();
    assertEquals(star.id(), following.getJsonArray("items").getJsonObject(0).getString("id"));
    assertEquals(1, api.get("/v1/users/" + fans.get(0).id(), null).bodyAsJsonObject().getInteger("followingCount"));

    api.call(HttpMethod.DELETE, "/v1/users/" + star.id() + "/follow", fans.get(1), null);
    api.call(HttpMethod.DELETE, "/v1/users/" + star.id() + "/follow", fans.get(1), null);
    assertEquals(4, api.get("/v1/users/" + star.id(), null).bodyAsJsonObject().getInteger("followerCount"));
    assertEquals(0, api.get("/v1/users/" + fans.get(1).id() + "/following", null).bodyAsJsonObject()
        .getJsonArray("items").size());
  }
}
