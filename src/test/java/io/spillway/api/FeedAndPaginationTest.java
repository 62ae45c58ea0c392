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
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class FeedAndPaginationTest {
  @RegisterExtension
  static SpillwayApp app = SpillwayApp.create().withoutKafka();

  /**
   * Uneven data, so that a page is not one post per author: two prolific authors (on different shards) fill
   * most pages on their own, four others posted long ago, one of them once more in the middle of the burst,
   * and a stranger nobody follows posts in between. A feed that reads only a few posts per author, or
   * merges shards per page without regard to ids, gets the order or the page boundaries wrong.
   */
  @Test
  void feedMergesPostsFromSeveralShardsNewestFirstAndPagesEachExactlyOnce() {
    ApiClient api = new ApiClient(app.client());
    ShardRouter router = new ShardRouter(app.config().data());
    ApiClient.User reader = api.newUser("reader");
    Map<Integer, List<ApiClient.User>> byShard = new HashMap<>();
    for (int i = 0; byShard.getOrDefault(0, List.of()).size() < 3 || byShard.getOrDefault(1, List.of()).size() < 3; i++) {
      ApiClient.User a = api.newUser("author" + i);
      byShard.computeIfAbsent(router.physicalOfId(Long.parseLong(a.id())), k -> new ArrayList<>()).add(a);
    }
    ApiClient.User prolificA = byShard.get(0).get(0);
    ApiClient.User prolificB = byShard.get(1).get(0);
    List<ApiClient.User> quiet = List.of(byShard.get(0).get(1), byShard.get(0).get(2), byShard.get(1).get(1),
        byShard.get(1).get(2));
    ApiClient.User stranger = api.newUser("stranger");
    Map<String, String> authorOf = new HashMap<>();
    for (ApiClient.User a : List.of(prolificA, prolificB, quiet.get(0), quiet.get(1), quiet.get(2), quiet.get(3))) {
      assertEquals(200, api.call(HttpMethod.PUT, "/v1/users/" + a.id() + "/follow", reader, null).statusCode());
      authorOf.put(a.id(), api.get("/v1/users/" + a.id(), null).bodyAsJsonObject().getString("name"));
    }

    List<Long> followed = new ArrayList<>();
    Runnable strangerPosts = () -> api.post(stranger, "not followed");
    for (ApiClient.User q : quiet) {
      followed.add(postId(api, q, "old 1"));
      strangerPosts.run();
      followed.add(postId(api, q, "old 2"));
    }
    for (int i = 0; i < 7; i++) {
      followed.add(postId(api, prolificA, "burst A " + i));
    }
    strangerPosts.run();
    for (int i = 0; i < 3; i++) {
      followed.add(postId(api, prolificB, "burst B " + i));
    }
    followed.add(postId(api, quiet.get(2), "quiet, once more"));
    for (int i = 7; i < 11; i++) {
      followed.add(postId(api, prolificA, "burst A " + i));
    }
    strangerPosts.run();
    // Newest first: ids are time-ordered.
    List<String> expected = followed.stream().sorted(Comparator.reverseOrder()).map(String::valueOf).toList();
    assertEquals(23, expected.size());

    List<String> seen = new ArrayList<>();
    List<Integer> pageSizes = new ArrayList<>();
    String cursor = null;
    do {
      HttpResponse<Buffer> r = api.get("/v1/feed?limit=5" + (cursor == null ? "" : "&cursor=" + cursor), reader);
      assertEquals(200, r.statusCode(), r.bodyAsString());
      JsonObject page = r.bodyAsJsonObject();
      JsonArray items = page.getJsonArray("items");
      pageSizes.add(items.size());
      for (int i = 0; i < items.size(); i++) {
        JsonObject post = items.getJsonObject(i);
        seen.add(post.getString("id"));
        String author = post.getString("authorId");
        assertEquals(authorOf.get(author), post.getJsonObject("author").getString("name"), "authors are attached");
      }
      cursor = page.getString("next");
    } while (cursor != null && pageSizes.size() < 20);
    assertEquals(expected, seen, "every followed post exactly once, newest first, across shards and pages");
    assertEquals(List.of(5, 5, 5, 5, 3), pageSizes, "full pages until the last");
  }

  private static long postId(ApiClient api, ApiClient.User author, String text) {
    return Long.parseLong(api.post(author, text).getString("id"));
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
