package io.spillway.limit;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;


import static io.spillway.limit.LimitTesting.policy;
import static io.spillway.limit.LimitTesting.route;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Which requests a policy applies to, what they cost, and the Redis key (with its Cluster hash tag). */
class PolicyTest {

  private static Policy compile(JsonObject json) {
    return new PolicySet(LimitTesting.limits(new JsonObject().put("keyPrefix", "rl")
        .put("policies", new JsonArray().add(json)))).policies.get(0);
  }

  private static RequestInfo req(String method, String route, String path) {
    return new RequestInfo(method, route, path, "192.0.2.1", "alice", "key-1", "free");
  }


  @Test
  void appliesByRouteMethodAndPlan() {
    Policy p = compile(policy("p", "fixed-window", "limit", 1, "windowSeconds", 1,
        "routes", new JsonArray().add(route("/v1/users/:id", "GET")), "plans", new JsonArray().add("free")));
    assertTrue(p.charge(req("GET", "/v1/users/:id", "/v1/users/7"), "rl") != null);
    assertTrue(p.charge(req("GET", "unmatched", "/v1/users/7"), "rl") != null, "raw paths match too");
    assertNull(p.charge(req("POST", "/v1/users/:id", "/v1/users/7"), "rl"));
    assertNull(p.charge(req("GET", "/v1/feed", "/v1/feed"), "rl"));
    assertNull(p.charge(new RequestInfo("GET", "/v1/users/:id", "/v1/users/7", "192.0.2.1", null, null, "pro"), "rl"));
  }

  @Test
  void aPolicyOnOnePathOfARouteAppliesToThatPathOnly() {
    // Selections are remembered per route: a policy naming one path of a parameterised route must still be
    // decided by the path, every time.
    PolicySet set = new PolicySet(LimitTesting.limits(new JsonObject().put("keyPrefix", "rl").put("policies", new JsonArray()
        .add(policy("one-user", "fixed-window", "limit", 1, "windowSeconds", 1,
            "routes", new JsonArray().add(route("/v1/users/42", "GET"))))
        .add(policy("all", "fixed-window", "limit", 1, "windowSeconds", 1,
            "routes", new JsonArray().add(route("/v1/*")), "cost", new JsonObject().put("GET /v1/users/:id", 3))))));
    for (int i = 0; i < 3; i++) {
      java.util.List<Charge> on42 = set.charges(req("GET", "/v1/users/:id", "/v1/users/42"));
      assertEquals(java.util.List.of("one-user", "all"), on42.stream().map(c -> c.policy().name).toList());
      java.util.List<Charge> on7 = set.charges(req("GET", "/v1/users/:id", "/v1/users/7"));
      assertEquals(java.util.List.of("all"), on7.stream().map(c -> c.policy().name).toList());
      assertEquals(3, on7.get(0).cost(), "the cost map's template rule");
    }
    PolicySet plain = new PolicySet(LimitTesting.limits(new JsonObject().put("keyPrefix", "rl").put("policies", new JsonArray()
        .add(policy("free", "fixed-window", "limit", 1, "windowSeconds", 1, "plans", new JsonArray().add("free"),
            "key", new JsonArray().add("user")))
        .add(policy("reads", "fixed-window", "limit", 1, "windowSeconds", 1,
            "routes", new JsonArray().add(route("/v1/*", "GET")))))));
    for (int i = 0; i < 3; i++) {
      assertEquals(java.util.List.of("free", "reads"),
          plain.charges(req("GET", "/v1/users/:id", "/v1/users/7")).stream().map(c -> c.policy().name).toList());
      assertEquals(java.util.List.of(), plain.charges(new RequestInfo("POST", "/v1/posts", "/v1/posts", "192.0.2.1", "bob",
          null, "pro")).stream().map(c -> c.policy().name).toList(), "remembered per method and plan too");
      assertEquals("rl:{user=bob}:free:fixed-window", plain.charges(new RequestInfo("GET", "/v1/feed", "/v1/feed",
          "192.0.2.1", "bob", null, "free")).get(0).key(), "keys are still the request's own");
    }
  }

  @Test
  void aRequestWithoutTheKeysSubjectIsNotLimitedByIt() {
    Policy p = compile(policy("p", "fixed-window", "limit", 1, "windowSeconds", 1, "key", new JsonArray().add("user")));
    assertNull(p.charge(RequestInfo.anonymous("GET", "/v1/feed", "192.0.2.1"), "rl"));
  }

  @Test
  void keysAreTaggedWithTheFirstKeyPart() {
    Policy p = compile(policy("per-user-route", "gcra", "limit", 1, "windowSeconds", 1,
        "key", new JsonArray().add("user").add("route")));
    Charge c = p.charge(req("GET", "/v1/feed", "/v1/feed"), "rl");
    assertEquals("rl:{user=alice}:per-user-route:gcra:route=GET /v1/feed", c.key());
    assertEquals("user=alice", c.slotTag());
    Charge odd = p.charge(new RequestInfo("GET", "/x", "/x", "1.1.1.1", "a}b{c", null, null), "rl");
    assertEquals("rl:{user=a%7Db%7Bc}:per-user-route:gcra:route=GET /x", odd.key(), "braces cannot end the tag");
  }

  @Test
  void costFromTheRouteThenTheCostMapThenOne() {
    Policy p = compile(policy("p", "token-bucket", "rate", 1, "burst", 10,
        "routes", new JsonArray().add(route("/v1/search").put("cost", 4)).add(route("/v1/*")),
        "cost", new JsonObject().put("GET /v1/feed", 5).put("/v1/feed", 2)));
    assertEquals(4, p.cost(req("GET", "/v1/search", "/v1/search")));
    assertEquals(5, p.cost(req("GET", "/v1/feed", "/v1/feed")));
    assertEquals(2, p.cost(req("POST", "/v1/feed", "/v1/feed")));
    assertEquals(1, p.cost(req("GET", "/v1/posts", "/v1/posts")));
  }

  @Test
  void headerWindowPerAlgorithm() {
    assertEquals(5, compile(policy("a", "token-bucket", "rate", 2, "burst", 10)).headerWindowSeconds);
    assertEquals(60, compile(policy("b", "gcra", "limit", 100, "windowSeconds", 60)).headerWindowSeconds);
    assertEquals(86_400, compile(policy("c", "quota", "limit", 100, "period", "day")).headerWindowSeconds);
    assertEquals(0, compile(policy("d", "quota", "limit", 100, "period", "month")).headerWindowSeconds);
  }
}
