package io.spillway.limit;

import io.spillway.Spillway;
import io.spillway.testkit.ApiClient;
import io.spillway.testkit.Await;
import io.spillway.testkit.SpillwayApp;
import io.spillway.testkit.TestHttp;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The shipped limits on the real API, their live update, and one limit shared exactly by two nodes. */
class RateLimitedApiTest {
  @RegisterExtension
  static SpillwayApp app = SpillwayApp.create().withoutKafka();

  /**
   * The shipped per-client policy is a token bucket (200, 50 per second) in leased mode: the node takes 20
   * tokens from Redis at once and spends them itself. The headers report what Redis has left plus what the
   * node's lease has left, and each request takes exactly one token.
   */
  @Test
  void everyV1ResponseCarriesTheRateLimitHeaders() {
    ApiClient api = new ApiClient(app.client());
    ApiClient.User u = api.newUser("headers");
    String bucket = bucketKey(u);
    HttpResponse<Buffer> first = api.get("/v1/users/" + u.id(), u);
    // The most restrictive policy of a signed-in user on the default plan is the plan's throttle.
    assertEquals("\"free-throttle\";q=100;w=5", first.getHeader("RateLimit-Policy"));
    assertTrue(first.getHeader("RateLimit").startsWith("\"free-throttle\";r="), first.getHeader("RateLimit"));
    assertNull(first.getHeader("X-RateLimit-Remaining"), "the legacy headers are off unless configured");
    assertEquals(99, remaining(first.getHeader("RateLimit")));
    double[] afterFirst = tokensAndTime(bucket);
    assertEquals(180.0, afterFirst[0], 1e-9, "a lease of 20 was taken from the new client's full bucket of 200");

    HttpResponse<Buffer> second = api.get("/v1/users/" + u.id(), u);
    assertTrue(remaining(second.getHeader("RateLimit")) <= 99, second.getHeader("RateLimit"));
    double[] afterSecond = tokensAndTime(bucket);
    if (afterSecond[1] == afterFirst[1]) {
      // Spent from the same lease: no Redis trip for api-per-client.
      assertEquals(afterFirst[0], afterSecond[0], 1e-9);
    } else {
      // The lease outlived leaseTtlMs (a slow machine): a new one of 20, after the refill Redis time implies.
      double refilled = Math.min(200, afterFirst[0] + 50 * (afterSecond[1] - afterFirst[1]) / 1e6);
      assertEquals(refilled - 20, afterSecond[0], 1e-6, "a new lease of exactly 20");
    }
    HttpResponse<Buffer> anonymous = api.get("/v1/users/" + u.id(), null);
    assertTrue(anonymous.getHeader("RateLimit-Policy").startsWith("\"api-per-client\";q=200"),
        anonymous.getHeader("RateLimit-Policy"));
  }

  /** {@code "policy";r=42;t=1} -> 42. */
  private static long remaining(String rateLimit) {
    return Long.parseLong(rateLimit.replaceAll("^.*;r=(\\d+).*$", "$1"));
  }

  /** The Redis key of the shipped per-client bucket of this user's authenticated requests. */
  private static String bucketKey(ApiClient.User u) {
    RequestInfo info = new RequestInfo("GET", "/v1/users/:id", "/v1/users/" + u.id(), "127.0.0.1", u.id(), null, null);
    return new PolicySet(app.config().limits()).charges(info).stream()
        .filter(c -> c.policy().name.equals("api-per-client")).findFirst().orElseThrow().key();
  }

  /** The bucket's stored tokens and the Redis time (microseconds) of its last change. */
  private static double[] tokensAndTime(String key) {
    Redis redis = Redis.createClient(app.clientVertx(), app.config().redis().uri());
    try {
      Response state = Await.result(redis.send(Request.cmd(Command.HMGET).arg(key).arg("tokens").arg("ts")));
      assertNotNull(state.get(0), "the limiter stored the bucket at " + key);
      return new double[] {Double.parseDouble(state.get(0).toString()), Double.parseDouble(state.get(1).toString())};
    } finally {
      redis.close();
    }
  }

  @Test
  void hammeringTheLoginIsStoppedEvenWithTheRightPassword() {
    ApiClient api = new ApiClient(app.client());
    ApiClient.User u = api.newUser("victim");
    for (int i = 0; i < 5; i++) {
      assertEquals(401, api.call(HttpMethod.POST, "/v1/auth/token", null,
          new JsonObject().put("email", u.email()).put("password", "guess-" + i)).statusCode());
    }
    HttpResponse<Buffer> blocked = api.call(HttpMethod.POST, "/v1/auth/token", null,
        new JsonObject().put("email", u.email()).put("password", "password-victim"));
    assertEquals(429, blocked.statusCode());
    assertTrue(blocked.bodyAsJsonObject().getString("type").endsWith("rate-limited/login-lockout"),
        blocked.bodyAsString());
    assertEquals(200, api.call(HttpMethod.POST, "/v1/auth/token", null, new JsonObject()
        .put("email", api.newUser("bystander").email()).put("password", "password-bystander")).statusCode(),
        "other accounts from the same address still log in");
    assertTrue(Long.parseLong(blocked.getHeader("Retry-After")) >= 1);
  }

  @Test
  void limitsUpdateWithoutRestartAndOneLimitIsExactAcrossTwoNodes() {
    Spillway second = app.startSecondNode();
    try {
      JsonObject limits = new JsonObject().put("policies", new JsonArray().add(new JsonObject()
          .put("name", "posts-lookup").put("algorithm", "fixed-window").put("limit", 25).put("windowSeconds", 3600)
          .put("key", new JsonArray().add("route")).put("routes", new JsonArray().add(new JsonObject()
              .put("path", "/v1/posts/:id").put("methods", new JsonArray().add("GET"))))));
      WebClient client = app.client();
      for (int port : new int[] {app.managementPort(), second.config().management().port()}) {
        assertEquals(200, Await.result(SpillwayApp.admin(client, HttpMethod.PUT, port, "/admin/limits").sendJsonObject(limits)).statusCode());
      }
      HttpResponse<Buffer> bad = Await.result(app.admin(HttpMethod.PUT, "/admin/limits")
          .sendJsonObject(new JsonObject().put("policies", new JsonArray().add(new JsonObject().put("name", "x")
              .put("algorithm", "leaky")))));
      assertEquals(400, bad.statusCode());
      assertTrue(bad.bodyAsJsonObject().getString("detail").contains("limits.policies[0].algorithm"));

      ApiClient api = new ApiClient(client);
      ApiClient.User u = api.newUser("hammer");
      String postId = api.post(u, "popular").getString("id");
      List<Future<HttpResponse<Buffer>>> all = new ArrayList<>();
      try (TestHttp.Counted burst = app.concurrentClient()) {
        for (int i = 0; i < 80; i++) {
          int port = i % 2 == 0 ? app.port() : second.config().http().port();
          all.add(burst.web().get(port, "127.0.0.1", "/v1/posts/" + postId).send());
        }
        Await.result(Future.join(all));
        assertTrue(burst.connections() >= 40, "the 80 lookups overlapped on only " + burst.connections() + " connections");
      }
      long ok = all.stream().filter(f -> f.result().statusCode() == 200).count();
      long limited = all.stream().filter(f -> f.result().statusCode() == 429).count();
      assertEquals(25, ok, "exactly the limit is admitted across both nodes");
      assertEquals(55, limited);
    } finally {
      second.stop().await();
      // Put the shipped limits back for the other tests of this class.
      Await.result(app.admin(HttpMethod.PUT, "/admin/limits")
          .sendJsonObject(app.configTree().getJsonObject("limits")));
    }
  }
}
