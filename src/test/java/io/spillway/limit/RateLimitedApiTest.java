package io.spillway.limit;

import io.spillway.Spillway;
import io.spillway.testkit.ApiClient;
import io.spillway.testkit.Await;
import io.spillway.testkit.SpillwayApp;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The shipped limits on the real API, their live update, and one limit shared exactly by two nodes. */
class RateLimitedApiTest {
  @RegisterExtension
  static SpillwayApp app = SpillwayApp.create().withoutKafka();

  @Test
  void everyV1ResponseCarriesTheRateLimitHeaders() {
    ApiClient api = new ApiClient(app.client());
    ApiClient.User u = api.newUser("headers");
    HttpResponse<Buffer> first = api.get("/v1/users/" + u.id(), u);
    HttpResponse<Buffer> second = api.get("/v1/users/" + u.id(), u);
    // The most restrictive policy of a signed-in user on the default plan: the plan's throttle.
    assertEquals("\"free-throttle\";q=100;w=5", first.getHeader("RateLimit-Policy"));
    assertTrue(first.getHeader("RateLimit").startsWith("\"free-throttle\";r="), first.getHeader("RateLimit"));
    assertNull(first.getHeader("X-RateLimit-Remaining"), "the legacy headers are off unless configured");
    long r1 = remaining(first.getHeader("RateLimit"));
    long r2 = remaining(second.getHeader("RateLimit"));
    assertTrue(r2 < r1 || r2 == 99, "remaining counts down: " + r1 + " then " + r2);
    HttpResponse<Buffer> anonymous = api.get("/v1/users/" + u.id(), null);
    assertTrue(anonymous.getHeader("RateLimit-Policy").startsWith("\"api-per-client\";q=200"),
        anonymous.getHeader("RateLimit-Policy"));
  }

  /** {@code "policy";r=42;t=1} -> 42. */
  private static long remaining(String rateLimit) {
    return Long.parseLong(rateLimit.replaceAll("^.*;r=(\\d+).*$", "$1"));
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
      for (int i = 0; i < 80; i++) {
        int port = i % 2 == 0 ? app.port() : second.config().http().port();
        all.add(client.get(port, "127.0.0.1", "/v1/posts/" + postId).send());
      }
      Await.result(Future.join(all));
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
