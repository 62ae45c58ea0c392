package io.spillway.cache;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.spillway.Spillway;
import io.spillway.testkit.ApiClient;
import io.spillway.testkit.Await;
import io.spillway.testkit.SpillwayApp;
import io.spillway.testkit.TestHttp;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The read cache on two real nodes (real Redis, PostgreSQL and Kafka). The near cache's TTL is ten minutes
 * here, so whenever the second node shows a change, the committed event is what told it.
 */
class ReadCacheTest {
  @RegisterExtension
  static SpillwayApp app = SpillwayApp.create().configure(tree -> tree.getJsonObject("cache")
      .put("near", tree.getJsonObject("cache").getJsonObject("near").copy().put("ttlMs", 600_000)));

  private static Spillway second;
  private static WebClient onA;
  private static WebClient onB;
  private static ApiClient a;
  private static ApiClient b;

  @BeforeAll
  static void secondNode() {
    second = app.startSecondNode();
    onA = WebClient.create(app.clientVertx(), new WebClientOptions().setDefaultHost("127.0.0.1")
        .setDefaultPort(app.port()), new PoolOptions().setHttp1MaxSize(64));
    onB = WebClient.create(app.clientVertx(), new WebClientOptions().setDefaultHost("127.0.0.1")
        .setDefaultPort(second.config().http().port()), new PoolOptions().setHttp1MaxSize(64));
    a = new ApiClient(onA);
    b = new ApiClient(onB);
  }

  @AfterAll
  static void stopSecond() {
    Await.result(second.stop());
  }

  @Test
  void anotherNodeFollowsAProfileChangeThroughTheCommittedEvent() {
    ApiClient.User ann = a.newUser("Ann");
    ApiClient.User reader = a.newUser("Reader");
    assertEquals("Ann", name(b.get("/v1/users/" + ann.id(), reader)));
    assertEquals("Ann", name(b.get("/v1/users/" + ann.id(), reader)), "served from node B's near cache");
    double before = invalidations(second, "event");

    HttpResponse<Buffer> renamed = a.call(HttpMethod.PATCH, "/v1/users/" + ann.id(), ann,
        new JsonObject().put("name", "Anna"));
    assertEquals(200, renamed.statusCode());
    assertEquals("Anna", name(a.get("/v1/users/" + ann.id(), reader)), "the writing node shows it at once");

    Await.until("node B shows the new name", Duration.ofSeconds(20),
        () -> "Anna".equals(name(b.get("/v1/users/" + ann.id(), reader))));
    assertTrue(invalidations(second, "event") > before, "node B dropped the entry because of the event");
  }

  @Test
  void aLikeIsCountedForItsAuthorAtOnceAndEverywhereSoon() {
    ApiClient.User author = a.newUser("Author");
    ApiClient.User fan = a.newUser("Fan");
    String postId = a.post(author, "hello").getString("id");
    assertEquals(0, likes(b.get("/v1/posts/" + postId, fan)));
    assertEquals(0, likes(a.get("/v1/posts/" + postId, fan)));

    assertEquals(200, a.call(HttpMethod.PUT, "/v1/posts/" + postId + "/like", fan, null).statusCode());
    assertEquals(1, likes(a.get("/v1/posts/" + postId, fan)), "the liker reads their own like at once");
    Await.until("node B counts the like", Duration.ofSeconds(20),
        () -> likes(b.get("/v1/posts/" + postId, fan)) == 1);
  }

  @Test
  void aRenamedAuthorShowsOnTheirCachedPosts() {
    ApiClient.User author = a.newUser("Writer");
    String postId = a.post(author, "by the writer").getString("id");
    JsonObject post = a.get("/v1/posts/" + postId, null).bodyAsJsonObject();
    assertEquals("Writer", post.getJsonObject("author").getString("name"));
    assertEquals(200, a.call(HttpMethod.PATCH, "/v1/users/" + author.id(), author,
        new JsonObject().put("name", "Wordsmith")).statusCode());
    JsonObject again = a.get("/v1/posts/" + postId, null).bodyAsJsonObject();
    assertEquals("Wordsmith", again.getJsonObject("author").getString("name"));
    assertEquals(post.copy().put("author", again.getJsonObject("author")), again, "nothing else changed");
  }

  @Test
  void concurrentMissesForOneKeyReadTheDatabaseOnce() {
    ApiClient.User target = a.newUser("Popular");
    long loadsBefore = dataRequests(app.node(), "GetUsers");
    // The first miss's flight cannot land before all 40 requests have arrived, so without single flight
    // each of them would read the database.
    Burst burst = whileRedisPauses(Collections.nCopies(40, "/v1/users/" + target.id()));
    // Sent one after the other, the first would fill the cache for the rest, single flight or not.
    assertTrue(burst.connections() >= 20, "the 40 misses overlapped on only " + burst.connections()
        + " connections");
    for (HttpResponse<Buffer> r : burst.answers()) {
      assertEquals(200, r.statusCode(), r.bodyAsString());
      assertEquals("Popular", r.bodyAsJsonObject().getString("name"));
    }
    assertEquals(1, dataRequests(app.node(), "GetUsers") - loadsBefore, "one database read for 40 misses");
  }

  @Test
  void concurrentMissesForManyKeysShareDatabaseReads() {
    List<String> paths = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      paths.add("/v1/users/" + a.newUser("Person" + i).id());
    }
    long loadsBefore = dataRequests(app.node(), "GetUsers");
    // The 40 misses reach the data layer together, and what one event loop needs in one turn goes as one
    // read per shard.
    Burst burst = whileRedisPauses(paths);
    for (int i = 0; i < paths.size(); i++) {
      HttpResponse<Buffer> r = burst.answers().get(i);
      assertEquals(200, r.statusCode(), r.bodyAsString());
      assertEquals("Person" + i, r.bodyAsJsonObject().getString("name"), "each request gets its own user");
    }
    long reads = dataRequests(app.node(), "GetUsers") - loadsBefore;
    assertTrue(reads >= 1 && reads <= 10, "40 misses for 40 users took " + reads + " batched reads");
  }

  private record Burst(List<HttpResponse<Buffer>> answers, int connections) {}

  /**
   * Sends GETs of {@code paths} at once, anonymously (one user would be held to its per-client share of
   * concurrent requests), while Redis pauses every client for 300 ms, so the misses all wait together.
   */
  private static Burst whileRedisPauses(List<String> paths) {
    Redis redis = Redis.createClient(app.clientVertx(), "redis://127.0.0.1:" + SpillwayApp.REDIS_PORT);
    try {
      Await.result(redis.send(Request.cmd(Command.CLIENT).arg("PAUSE").arg(300).arg("ALL")));
      List<Future<HttpResponse<Buffer>>> all = new ArrayList<>();
      try (TestHttp.Counted burst = app.concurrentClient()) {
        for (String path : paths) {
          all.add(burst.web().get(path).send());
        }
        Await.result(Future.all(all));
        return new Burst(all.stream().map(Future::result).toList(), burst.connections());
      }
    } finally {
      redis.close();
    }
  }

  @Test
  void aValueInRedisThatIsNotAnEntryIsAMissNotAnError() {
    ApiClient.User author = a.newUser("Scribe");
    long id = Long.parseLong(a.post(author, "still here").getString("id"));
    Redis redis = Redis.createClient(app.clientVertx(), "redis://127.0.0.1:" + SpillwayApp.REDIS_PORT + "/" + app.redisDb());
    try {
      Await.result(redis.send(Request.cmd(Command.SET).arg(CacheKey.post(id).redisKey("spillway:cache:")).arg("{not json")));
    } finally {
      redis.close();
    }
    HttpResponse<Buffer> r = b.get("/v1/posts/" + id, null);
    assertEquals(200, r.statusCode(), r.bodyAsString());
    assertEquals("still here", r.bodyAsJsonObject().getString("text"));
  }

  @Test
  void aMissingUserIsRememberedBriefly() {
    ApiClient.User someone = a.newUser("Someone");
    long logical = (Long.parseLong(someone.id()) >>> 10) & 8191;
    long neverMade = (1L << 23) | (logical << 10) | 7;
    long before = dataRequests(app.node(), "GetUsers");
    for (int i = 0; i < 3; i++) {
      HttpResponse<Buffer> r = a.get("/v1/users/" + neverMade, someone);
      assertEquals(404, r.statusCode());
      assertEquals("application/problem+json", r.getHeader("Content-Type"));
    }
    assertEquals(1, dataRequests(app.node(), "GetUsers") - before, "the 404 was cached after the first read");
  }

  @Test
  void readsCarryAStrongEtagAndAnswerIfNoneMatchWith304() {
    ApiClient.User u = a.newUser("Tagged");
    ApiClient.User reader = a.newUser("Looker");
    HttpResponse<Buffer> first = a.get("/v1/users/" + u.id(), reader);
    String etag = first.getHeader("ETag");
    assertNotNull(etag);
    assertTrue(etag.startsWith("\"") && etag.endsWith("\""), "a strong ETag: " + etag);
    assertEquals("private, no-cache", first.getHeader("Cache-Control"));

    HttpResponse<Buffer> same = Await.result(onA.get("/v1/users/" + u.id())
        .putHeader("Authorization", "Bearer " + reader.token()).putHeader("If-None-Match", etag).send());
    assertEquals(304, same.statusCode());
    assertEquals(0, same.body() == null ? 0 : same.body().length());
    assertEquals(etag, same.getHeader("ETag"));

    assertEquals(200, a.call(HttpMethod.PATCH, "/v1/users/" + u.id(), u, new JsonObject().put("bio", "new"))
        .statusCode());
    HttpResponse<Buffer> changed = Await.result(onA.get("/v1/users/" + u.id())
        .putHeader("Authorization", "Bearer " + reader.token()).putHeader("If-None-Match", etag).send());
    assertEquals(200, changed.statusCode());
    assertNotEquals(etag, changed.getHeader("ETag"));

    // Pages have ETags too, computed from the page they send.
    a.post(u, "one");
    HttpResponse<Buffer> page = a.get("/v1/users/" + u.id() + "/posts", reader);
    HttpResponse<Buffer> pageAgain = Await.result(onA.get("/v1/users/" + u.id() + "/posts")
        .putHeader("Authorization", "Bearer " + reader.token()).putHeader("If-None-Match", page.getHeader("ETag"))
        .send());
    assertEquals(304, pageAgain.statusCode());
  }

  @Test
  void secretsAndWritesAreNeverStored() {
    ApiClient.User u = a.newUser("Keyholder");
    HttpResponse<Buffer> key = a.call(HttpMethod.POST, "/v1/api-keys", u, new JsonObject().put("name", "ci"));
    assertEquals(201, key.statusCode());
    assertEquals("no-store", key.getHeader("Cache-Control"));
    HttpResponse<Buffer> token = a.call(HttpMethod.POST, "/v1/auth/token", null,
        new JsonObject().put("email", u.email()).put("password", "password-Keyholder"));
    assertEquals(200, token.statusCode());
    assertEquals("no-store", token.getHeader("Cache-Control"));
    assertEquals("no-store", a.get("/v1/users/0", u).getHeader("Cache-Control"), "problems are not stored");
  }

  private static String name(HttpResponse<Buffer> r) {
    assertEquals(200, r.statusCode(), r.bodyAsString());
    return r.bodyAsJsonObject().getString("name");
  }

  private static int likes(HttpResponse<Buffer> r) {
    assertEquals(200, r.statusCode(), r.bodyAsString());
    return r.bodyAsJsonObject().getInteger("likeCount");
  }

  private static long dataRequests(Spillway node, String operation) {
    Timer t = node.telemetry().registry().find("spillway_data_request").tag("operation", operation).timer();
    return t == null ? 0 : t.count();
  }

  private static double invalidations(Spillway node, String source) {
    MeterRegistry registry = node.telemetry().registry();
    var counter = registry.find("spillway.cache.invalidations").tag("source", source).counter();
    return counter == null ? 0 : counter.count();
  }
}
