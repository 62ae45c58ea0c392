package io.spillway.feed;

import io.spillway.data.ShardRouter;
import io.spillway.testkit.ApiClient;
import io.spillway.testkit.Await;
import io.spillway.testkit.RedisProcess;
import io.spillway.testkit.ShardDb;
import io.spillway.testkit.SpillwayApp;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The hybrid fan-out feed on real PostgreSQL, Redis (a process of this class's own, killed in the last test)
 * and Kafka: posts reach their followers' timelines through the event stream, a high-follower author is
 * merged at read time, unfollows and deletes take entries out, a rebuilt timeline is the live one, and the
 * feed is still served with Redis gone.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class FeedFanOutTest {
  private static final Duration FANOUT = Duration.ofSeconds(30);
  private static final String READY = "0000000000000000000:0";
  private static final Vertx VERTX = Vertx.vertx();
  private static final RedisProcess REDIS = RedisProcess.started(VERTX);
  private static final Redis TIMELINES = Redis.createClient(VERTX, REDIS.uri());
  /** An author with more followers than this is merged at read time. */
  private static final int MAX_FOLLOWERS = 3;
  private static final int CAP = 12;

  @RegisterExtension
  static SpillwayApp app = SpillwayApp.create().configure(tree -> {
    tree.getJsonObject("redis").put("uri", REDIS.uri());
    tree.getJsonObject("kafka").put("topic", "events-" + UUID.randomUUID());
    tree.put("feed", new JsonObject().put("fanoutMaxFollowers", MAX_FOLLOWERS).put("timelineMaxEntries", CAP)
        .put("wideAuthorsRefreshMs", 200).put("fanoutPageSize", 10));
  });

  @AfterAll
  static void stopRedis() {
    TIMELINES.close();
    REDIS.close();
    VERTX.close().await();
  }

  @Test
  @Order(1)
  void aPostReachesEveryFollowersTimelineAndAFollowBringsTheFolloweesPosts() {
    ApiClient api = new ApiClient(app.client());
    ApiClient.User author = api.newUser("author");
    List<ApiClient.User> followers = new ArrayList<>();
    // One place is left for the late follower below: with it the author has MAX_FOLLOWERS, not more.
    for (int i = 0; i < MAX_FOLLOWERS - 1; i++) {
      ApiClient.User f = api.newUser("follower" + i);
      openTimeline(api, f);
      follow(api, f, author, true);
      followers.add(f);
    }
    String post = api.post(author, "to every follower").getString("id");
    for (ApiClient.User f : followers) {
      Await.until("the post in " + f.id() + "'s timeline", FANOUT, () -> timeline(f).contains(post));
      assertEquals(List.of(post), feed(api, f, 20));
    }

    ApiClient.User late = api.newUser("late");
    openTimeline(api, late);
    assertEquals(List.of(), timeline(late));
    follow(api, late, author, true);
    Await.until("the followee's post backfilled into the new follower's timeline", FANOUT,
        () -> timeline(late).contains(post));
    assertEquals(List.of(post), feed(api, late, 20));
  }

  @Test
  @Order(2)
  void aFollowOfAnAuthorOverTheBoundCopiesNoPostIntoTheTimeline() {
    ApiClient api = new ApiClient(app.client());
    ApiClient.User star = api.newUser("quiet-star");
    for (int i = 0; i < MAX_FOLLOWERS; i++) {
      follow(api, api.newUser("early" + i), star, true);
    }
    // A post no fan-out saw (written into its shard directly): nothing has told this node yet that the author
    // is over the bound, so only the follower count can.
    String seeded = seedPost(star);
    ApiClient.User late = api.newUser("late-fan");
    openTimeline(api, late);
    follow(api, late, star, true);
    Await.until("the author's post merged into the new follower's feed", FANOUT,
        () -> feed(api, late, 20).contains(seeded));
    assertFalse(timeline(late).contains(seeded), "an author over the bound is not backfilled into a timeline");
  }

  @Test
  @Order(3)
  void aHighFollowerAuthorIsMergedAtReadTimeNotFannedOut() {
    ApiClient api = new ApiClient(app.client());
    ApiClient.User star = api.newUser("star");
    ApiClient.User friend = api.newUser("friend");
    List<ApiClient.User> fans = new ArrayList<>();
    for (int i = 0; i <= MAX_FOLLOWERS; i++) {
      ApiClient.User fan = api.newUser("fan" + i);
      openTimeline(api, fan);
      follow(api, fan, star, true);
      fans.add(fan);
    }
    ApiClient.User reader = fans.get(0);
    follow(api, reader, friend, true);

    String friend1 = api.post(friend, "friend 1").getString("id");
    String star1 = api.post(star, "star 1").getString("id");
    String friend2 = api.post(friend, "friend 2").getString("id");
    String star2 = api.post(star, "star 2").getString("id");
    Await.until("the friend's posts fanned out", FANOUT, () -> timeline(reader).containsAll(List.of(friend1, friend2)));
    for (ApiClient.User fan : fans) {
      Await.until("the star's posts merged into " + fan.id() + "'s feed", FANOUT,
          () -> feed(api, fan, 20).containsAll(List.of(star1, star2)));
      assertFalse(timeline(fan).contains(star1) || timeline(fan).contains(star2),
          "a high-follower author's posts are not written into timelines");
    }
    List<String> newestFirst = byId(List.of(friend1, star1, friend2, star2));
    Collections.reverse(newestFirst);
    List<String> paged = new ArrayList<>();
    String cursor = null;
    int pages = 0;
    do {
      JsonObject page = api.get("/v1/feed?limit=1" + (cursor == null ? "" : "&cursor=" + cursor), reader)
          .bodyAsJsonObject();
      page.getJsonArray("items").forEach(p -> paged.add(((JsonObject) p).getString("id")));
      cursor = page.getString("next");
    } while (cursor != null && ++pages < 10);
    assertEquals(newestFirst, paged, "timeline and merged posts in one order, each once, page by page");
  }

  @Test
  @Order(4)
  void anUnfollowAndADeleteTakeEntriesOut() {
    ApiClient api = new ApiClient(app.client());
    ApiClient.User reader = api.newUser("reader");
    ApiClient.User left = api.newUser("left");
    ApiClient.User kept = api.newUser("kept");
    openTimeline(api, reader);
    follow(api, reader, left, true);
    follow(api, reader, kept, true);
    String fromLeft = api.post(left, "soon unfollowed").getString("id");
    String fromKept = api.post(kept, "soon deleted").getString("id");
    Await.until("both posts in the timeline", FANOUT, () -> timeline(reader).containsAll(List.of(fromLeft, fromKept)));

    follow(api, reader, left, false);
    assertEquals(List.of(fromKept), feed(api, reader, 20), "an unfollow shows at once");
    Await.until("the unfollowed author's post out of the timeline", FANOUT, () -> !timeline(reader).contains(fromLeft));

    assertEquals(204, api.call(HttpMethod.DELETE, "/v1/posts/" + fromKept, kept, null).statusCode());
    Await.until("the deleted post out of the timeline", FANOUT, () -> !timeline(reader).contains(fromKept));
    assertEquals(List.of(), feed(api, reader, 20));
  }

  @Test
  @Order(5)
  void aTimelineRebuiltFromThePostsTablesEqualsTheOneMaintainedLive() {
    ApiClient api = new ApiClient(app.client());
    ApiClient.User reader = api.newUser("rebuilt");
    List<ApiClient.User> authors = List.of(api.newUser("a"), api.newUser("b"), api.newUser("c"));
    List<String> expected = new ArrayList<>();
    // Posts from before the follow (backfilled) and after it (fanned out), more than the timeline keeps.
    for (ApiClient.User a : authors) {
      expected.add(api.post(a, "before the follow").getString("id"));
    }
    openTimeline(api, reader);
    for (ApiClient.User a : authors) {
      follow(api, reader, a, true);
    }
    for (int i = 0; i < 4; i++) {
      for (ApiClient.User a : authors) {
        expected.add(api.post(a, "live " + i).getString("id"));
      }
    }
    // The oldest post goes: the live timeline had trimmed it already, the rebuild never reads it.
    String deleted = expected.remove(0);
    List<String> ordered = byId(expected);
    assertEquals(204, api.call(HttpMethod.DELETE, "/v1/posts/" + deleted, authors.get(0), null).statusCode());
    List<String> newest = ordered.subList(ordered.size() - CAP, ordered.size());
    Await.until("the live timeline holds the newest " + CAP + " posts", FANOUT, () -> timeline(reader).equals(newest));
    List<String> live = members(reader);

    HttpResponse<Buffer> rebuilt = app.admin(HttpMethod.POST, "/admin/feed/" + reader.id() + "/rebuild").send()
        .await();
    assertEquals(200, rebuilt.statusCode(), rebuilt.bodyAsString());
    assertEquals(CAP, rebuilt.bodyAsJsonObject().getInteger("posts"));
    assertEquals(live, members(reader), "the rebuilt timeline is the live one, member for member");
    assertEquals(400, app.admin(HttpMethod.POST, "/admin/feed/x/rebuild").send().await().statusCode());
  }

  @Test
  @Order(6)
  void withRedisGoneTheFeedIsStillServedFromThePostsTables() {
    ApiClient api = new ApiClient(app.client());
    ApiClient.User reader = api.newUser("patient");
    ApiClient.User author = api.newUser("writer");
    openTimeline(api, reader);
    follow(api, reader, author, true);
    String before = api.post(author, "before Redis died").getString("id");
    Await.until("the post in the timeline", FANOUT, () -> timeline(reader).contains(before));

    REDIS.kill();
    String during = api.post(author, "while Redis is down").getString("id");
    for (int i = 0; i < 5; i++) {
      assertEquals(List.of(during, before), feed(api, reader, 20));
    }
  }

  private static void follow(ApiClient api, ApiClient.User follower, ApiClient.User followee, boolean follow) {
    HttpResponse<Buffer> r = api.call(follow ? HttpMethod.PUT : HttpMethod.DELETE,
        "/v1/users/" + followee.id() + "/follow", follower, null);
    assertEquals(200, r.statusCode(), r.bodyAsString());
  }

  /** A post of {@code author} inserted into the shard that holds the author, with no event for it. */
  private static String seedPost(ApiClient.User author) {
    long id = Long.parseLong(author.id());
    for (String database : app.databases()) {
      try (ShardDb db = new ShardDb(database)) {
        if (db.count("SELECT count(*) FROM users WHERE id = $1", id) == 1) {
          return String.valueOf(db.query("INSERT INTO posts (id, author_id, text) VALUES (next_id($1), $2, 'seeded') "
              + "RETURNING id", ShardRouter.logicalOf(id), id).get(0).getLong(0));
        }
      }
    }
    throw new AssertionError("no shard holds user " + id);
  }

  /** The first read of a feed builds its timeline (in the background): wait until it is there. */
  private static void openTimeline(ApiClient api, ApiClient.User reader) {
    feed(api, reader, 20);
    Await.until("the timeline of " + reader.id() + " built", FANOUT,
        () -> Await.result(TIMELINES.send(Request.cmd(Command.ZSCORE).arg(key(reader)).arg(READY))) != null);
  }

  private static List<String> feed(ApiClient api, ApiClient.User reader, int limit) {
    HttpResponse<Buffer> r = api.get("/v1/feed?limit=" + limit, reader);
    assertEquals(200, r.statusCode(), r.bodyAsString());
    List<String> ids = new ArrayList<>();
    JsonArray items = r.bodyAsJsonObject().getJsonArray("items");
    items.forEach(p -> ids.add(((JsonObject) p).getString("id")));
    return ids;
  }

  /** The post ids in the reader's timeline, oldest first. */
  private static List<String> timeline(ApiClient.User reader) {
    List<String> ids = new ArrayList<>();
    for (String m : members(reader)) {
      String id = m.substring(0, m.indexOf(':')).replaceFirst("^0+", "");
      if (!id.isEmpty()) {
        ids.add(id);
      }
    }
    return ids;
  }

  private static List<String> members(ApiClient.User reader) {
    Response r = Await.result(TIMELINES.send(Request.cmd(Command.ZRANGE).arg(key(reader)).arg(0).arg(-1)));
    List<String> out = new ArrayList<>();
    r.forEach(m -> out.add(m.toString()));
    assertTrue(out.isEmpty() || out.get(0).startsWith("0000000000000000000:"), "rank 0 is the sentinel");
    return out;
  }

  /** Ids in id order (posts of different shards made in the same millisecond order by shard, not by time). */
  private static List<String> byId(List<String> ids) {
    List<String> out = new ArrayList<>(ids);
    out.sort(Comparator.comparingLong(Long::parseLong));
    return out;
  }

  private static String key(ApiClient.User reader) {
    return "spillway:feed:tl:" + reader.id();
  }
}
