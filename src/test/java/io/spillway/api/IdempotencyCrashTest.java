package io.spillway.api;

import io.spillway.data.ShardRouter;
import io.spillway.testkit.ApiClient;
import io.spillway.testkit.Await;
import io.spillway.testkit.LocalPostgres;
import io.spillway.testkit.NodeProcess;
import io.spillway.testkit.ShardDb;
import io.spillway.testkit.SpillwayApp;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code kill -9} of a real node in the middle of 300 {@code POST /v1/posts}, each with its own
 * Idempotency-Key, 16 in flight; the client retries every failure (a refused connection, a reset, any
 * non-2xx) with the same key and body, and a new node starts on the same port. Every key ends with a 201,
 * the database holds exactly 300 posts (none lost, none twice), and every response names a post that is
 * there.
 */
class IdempotencyCrashTest {
  private static final int POSTS = 300;
  private static final int IN_FLIGHT = 16;

  @Test
  void aCrashMidWritesLeavesNoDuplicateAndNoLostPost() throws Exception {
    List<String> dbs = List.of("spillway_crash_0", "spillway_crash_1");
    LocalPostgres.create(dbs);
    JsonObject conf = SpillwayApp.testConfig(dbs, 14, "");
    conf.getJsonObject("limits").put("enabled", false);
    conf.getJsonObject("shed").getJsonObject("perClient").put("enabled", false);
    int port = conf.getJsonObject("http").getInteger("port");
    Vertx vertx = Vertx.vertx();
    NodeProcess second = null;
    try (NodeProcess first = NodeProcess.start(conf)) {
      WebClient client = WebClient.create(vertx, new WebClientOptions().setDefaultHost("127.0.0.1")
          .setDefaultPort(port).setConnectTimeout(1000), new PoolOptions().setHttp1MaxSize(IN_FLIGHT));
      awaitUp(client);
      ApiClient.User author = new ApiClient(client).newUser("crash");

      Map<String, String> postIds = new ConcurrentHashMap<>();
      AtomicInteger attempts = new AtomicInteger();
      AtomicInteger next = new AtomicInteger();
      Promise<Void> done = Promise.promise();
      AtomicInteger workers = new AtomicInteger(IN_FLIGHT);
      for (int w = 0; w < IN_FLIGHT; w++) {
        vertx.runOnContext(v -> work(vertx, client, author, next, postIds, attempts, workers, done));
      }

      Await.until("a third of the posts", Duration.ofSeconds(60), () -> postIds.size() >= POSTS / 3);
      first.process().destroyForcibly(); // SIGKILL: no drain, no goodbye
      first.process().waitFor(10, TimeUnit.SECONDS);
      int answeredBeforeCrash = postIds.size();
      second = NodeProcess.start(conf);

      done.future().await(180, TimeUnit.SECONDS);
      assertEquals(POSTS, postIds.size(), "every key got its 201");
      assertTrue(answeredBeforeCrash < POSTS, "the crash came in the middle of the writes");
      assertTrue(attempts.get() > POSTS, "some requests were cut off and retried");
      Set<String> distinct = Set.copyOf(postIds.values());
      assertEquals(POSTS, distinct.size(), "each key has its own post");

      long id = Long.parseLong(author.id());
      int shard = new ShardRouter(io.spillway.config.AppConfig.from(conf).data()).physicalOfId(id);
      try (ShardDb db = new ShardDb(dbs.get(shard))) {
        Set<String> stored = db.query("SELECT id FROM posts WHERE author_id = $1", id).stream()
            .map(r -> Long.toString(r.getLong(0))).collect(Collectors.toSet());
        assertEquals(POSTS, stored.size(), "exactly one post per key: none lost, none written twice");
        assertEquals(distinct, stored, "each response names the post that was written");
      }
    } finally {
      if (second != null) {
        second.close();
      }
      vertx.close().await();
      LocalPostgres.drop(dbs);
    }
  }

  /** One client worker: take the next key, post until it gets a 2xx, then the next. */
  private static void work(Vertx vertx, WebClient client, ApiClient.User author, AtomicInteger next,
                           Map<String, String> postIds, AtomicInteger attempts, AtomicInteger workers,
                           Promise<Void> done) {
    int n = next.getAndIncrement();
    if (n >= POSTS) {
      if (workers.decrementAndGet() == 0) {
        done.complete();
      }
      return;
    }
    String key = "crash-key-" + n;
    post(vertx, client, author, key, n, attempts, 0).onComplete(ar -> {
      if (ar.succeeded()) {
        postIds.put(key, ar.result());
        work(vertx, client, author, next, postIds, attempts, workers, done);
      } else {
        done.tryFail(ar.cause());
      }
    });
  }

  private static Future<String> post(Vertx vertx, WebClient client, ApiClient.User author, String key, int n,
                                     AtomicInteger attempts, int attempt) {
    if (attempt > 1500) {
      return Future.failedFuture(new AssertionError("key " + key + " was never answered"));
    }
    attempts.incrementAndGet();
    return client.post("/v1/posts").putHeader("Authorization", "Bearer " + author.token())
        .putHeader("Idempotency-Key", key).timeout(10_000)
        .sendJsonObject(new JsonObject().put("text", "post number " + n))
        .transform(ar -> {
          if (ar.succeeded() && ar.result().statusCode() / 100 == 2) {
            return Future.succeededFuture(ar.result().bodyAsJsonObject().getString("id"));
          }
          return vertx.timer(100).compose(t -> post(vertx, client, author, key, n, attempts, attempt + 1));
        });
  }

  private static void awaitUp(WebClient client) {
    Await.until("the node to answer", Duration.ofSeconds(60), () -> {
      try {
        return client.get("/health/live").send().await().statusCode() == 200;
      } catch (Exception e) {
        return false;
      }
    });
  }
}
