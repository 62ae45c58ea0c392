package io.spillway.limit;

import io.spillway.config.ConfigException;
import io.spillway.config.LimitsConfig;
import io.spillway.config.RateLimitPolicy;
import io.spillway.config.RateLimitPolicy.FailureMode;
import io.spillway.config.RateLimitPolicy.KeyKind;
import io.spillway.config.RateLimitPolicy.Period;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static io.spillway.limit.LimitTesting.limits;
import static io.spillway.limit.LimitTesting.policy;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LimitsConfigTest {

  private static String error(JsonObject limits) {
    return assertThrows(ConfigException.class, () -> limits(limits)).getMessage();
  }

  private static JsonObject withPolicies(JsonObject... policies) {
    return new JsonObject().put("policies", new JsonArray(List.of((Object[]) policies)));
  }

  @Test
  void readsAFullConfig() {
    LimitsConfig c = limits(new JsonObject()
        .put("expectedNodes", 3)
        .put("legacyHeaders", true)
        .put("trustedProxies", new JsonArray().add("127.0.0.1").add("10.0.0.0/8").add("fd00::/8"))
        .put("redisTimeoutMs", 100)
        .put("breaker", new JsonObject().put("failureThreshold", 2).put("openMs", 1000))
        .put("policies", new JsonArray()
            .add(policy("burst", "token-bucket", "rate", 2.5, "burst", 10, "key", new JsonArray().add("user").add("route"),
                "routes", new JsonArray().add(new JsonObject().put("path", "/v1/*").put("methods", new JsonArray().add("GET"))),
                "cost", new JsonObject().put("GET /v1/feed", 5), "shadow", true, "onRedisFailure", "closed"))
            .add(policy("daily", "quota", "limit", 1000, "period", "month"))));
    assertTrue(c.enabled());
    assertEquals(3, c.expectedNodes());
    assertEquals(2, c.breaker().failureThreshold());
    RateLimitPolicy.TokenBucket p = (RateLimitPolicy.TokenBucket) c.policies().get(0);
    assertEquals(2.5, p.rate());
    assertEquals(10, p.burst());
    assertEquals(List.of(KeyKind.USER, KeyKind.ROUTE), p.common().key());
    assertEquals(5, p.common().costs().get("GET /v1/feed"));
    assertTrue(p.common().shadow());
    assertEquals(FailureMode.CLOSED, p.common().onRedisFailure());
    RateLimitPolicy.Quota q = (RateLimitPolicy.Quota) c.policies().get(1);
    assertEquals(Period.MONTH, q.period());
    assertEquals(FailureMode.LOCAL, q.common().onRedisFailure(), "the shipped default of a policy entry");
    assertEquals(List.of(KeyKind.IP), q.common().key());
  }

  @Test
  void absentMeansTheShippedLimits() {
    LimitsConfig c = limits(null);
    assertTrue(c.enabled());
    assertFalse(c.legacyHeaders());
    assertEquals("spillway:rl", c.keyPrefix());
    assertEquals(List.of("per-address", "stream-connects", "api-per-client", "free-throttle", "free-quota", "pro-throttle", "pro-quota"),
        c.policies().stream().map(RateLimitPolicy::name).toList());
    assertFalse(limits(new JsonObject().put("enabled", false)).enabled());
  }

  @Test
  void givenPoliciesReplaceTheShippedOnesWhole() {
    LimitsConfig c = limits(withPolicies(policy("only", "gcra", "limit", 10, "windowSeconds", 60)));
    assertEquals(1, c.policies().size());
    RateLimitPolicy.Gcra g = (RateLimitPolicy.Gcra) c.policies().get(0);
    assertEquals(10, g.burst(), "a GCRA policy without a burst allows its whole limit at once");
    assertEquals(List.of(), g.common().routes(), "no routes: every route");
  }

  @Test
  void aRecordBuiltInCodeIsCheckedLikeConfig() {
    RateLimitPolicy.Common common = new RateLimitPolicy.Common("p", List.of(KeyKind.IP), List.of(), Map.of(),
        List.of(), false, FailureMode.LOCAL, null);
    ConfigException e = assertThrows(ConfigException.class, () -> new RateLimitPolicy.FixedWindow(common, 0, 60));
    assertEquals("limits.policies[].limit: 0 is out of range; allowed: 1..1000000000", e.getMessage());
    e = assertThrows(ConfigException.class, () -> new RateLimitPolicy.SlidingWindowLog(common, 100_001, 60));
    assertTrue(e.getMessage().startsWith("limits.policies[].limit: 100001 is out of range; allowed: 1..100000"),
        e.getMessage());
    e = assertThrows(ConfigException.class, () -> new RateLimitPolicy.Common("p", List.of(KeyKind.IP, KeyKind.IP),
        List.of(), Map.of(), List.of(), false, FailureMode.LOCAL, null));
    assertEquals("limits.policies[].key[1]: 'ip' is listed twice", e.getMessage());
  }

  @Test
  void unknownAlgorithmNamesTheKeyAndTheAllowedValues() {
    String m = error(withPolicies(policy("a", "fixed-window", "limit", 1, "windowSeconds", 1),
        policy("b", "fixed-window", "limit", 1, "windowSeconds", 1), policy("c", "leaky", "limit", 1)));
    assertEquals("limits.policies[2].algorithm: 'leaky' is not allowed; allowed values: fixed-window, gcra, quota, "
        + "sliding-window-counter, sliding-window-log, token-bucket", m);
  }

  @Test
  void missingAlgorithm() {
    assertTrue(error(withPolicies(new JsonObject().put("name", "x"))).startsWith("limits.policies[0].algorithm: is required"));
  }

  @Test
  void missingNumbersNameTheKeyAndTheAlgorithm() {
    assertTrue(error(withPolicies(policy("x", "token-bucket", "burst", 5)))
        .startsWith("limits.policies[0].rate: is required for algorithm token-bucket"));
    assertTrue(error(withPolicies(policy("x", "token-bucket", "rate", 5)))
        .startsWith("limits.policies[0].burst: is required for algorithm token-bucket"));
    assertTrue(error(withPolicies(policy("x", "sliding-window-log", "limit", 5)))
        .startsWith("limits.policies[0].windowSeconds: is required for algorithm sliding-window-log"));
    assertTrue(error(withPolicies(policy("x", "quota", "limit", 5)))
        .startsWith("limits.policies[0].period: is required for algorithm quota"));
    assertTrue(error(withPolicies(policy("x", "quota", "limit", 5, "period", "week")))
        .startsWith("limits.policies[0].period: 'week' is not allowed; allowed values: day, month"));
  }

  @Test
  void badNumbers() {
    assertTrue(error(withPolicies(policy("x", "fixed-window", "limit", 0, "windowSeconds", 1)))
        .startsWith("limits.policies[0].limit: 0 is out of range"));
    assertTrue(error(withPolicies(policy("x", "fixed-window", "limit", "ten", "windowSeconds", 1)))
        .startsWith("limits.policies[0].limit: must be an integer"));
    assertTrue(error(withPolicies(policy("x", "token-bucket", "rate", 0, "burst", 1)))
        .startsWith("limits.policies[0].rate: must be greater than 0"));
    assertTrue(error(withPolicies(policy("x", "fixed-window", "limit", 5, "windowSeconds", 1, "rate", 3)))
        .startsWith("limits.policies[0].rate: is not used by algorithm fixed-window"));
  }

  @Test
  void aKeyKindListedTwiceNamesTheEntry() {
    assertEquals("limits.policies[1].key[1]: 'user' is listed twice",
        error(withPolicies(policy("a", "fixed-window", "limit", 5, "windowSeconds", 1),
            policy("b", "fixed-window", "limit", 5, "windowSeconds", 1, "key", new JsonArray().add("user").add("user")))));
  }

  @Test
  void badKeyKind() {
    assertEquals("limits.policies[0].key[1]: 'session' is not allowed; allowed values: apiKey, client, ip, route, user",
        error(withPolicies(policy("x", "fixed-window", "limit", 5, "windowSeconds", 1,
            "key", new JsonArray().add("ip").add("session")))));
  }

  @Test
  void badCidrNamesTheEntry() {
    String m = error(new JsonObject().put("trustedProxies", new JsonArray().add("10.0.0.0/8").add("10.0.0.0/33")));
    assertTrue(m.startsWith("limits.trustedProxies[1]: '10.0.0.0/33' is not an IPv4 or IPv6 address or CIDR range"), m);
    m = error(new JsonObject().put("trustedProxies", new JsonArray().add("proxy.internal")));
    assertTrue(m.startsWith("limits.trustedProxies[0]: 'proxy.internal' is not an IPv4 or IPv6 address"), m);
  }

  @Test
  void badRoutesCostsAndNames() {
    assertTrue(error(withPolicies(policy("x", "fixed-window", "limit", 5, "windowSeconds", 1,
        "routes", new JsonArray().add(new JsonObject().put("path", "v1/feed")))))
        .startsWith("limits.policies[0].routes[0].path: 'v1/feed' must start with /"));
    assertTrue(error(withPolicies(policy("x", "fixed-window", "limit", 5, "windowSeconds", 1,
        "routes", new JsonArray().add(new JsonObject().put("path", "/v1/feed").put("methods", new JsonArray().add("FETCH"))))))
        .startsWith("limits.policies[0].routes[0].methods[0]: 'FETCH' is not allowed"));
    assertTrue(error(withPolicies(policy("x", "fixed-window", "limit", 5, "windowSeconds", 1,
        "cost", new JsonObject().put("GET /v1/feed", 0))))
        .startsWith("limits.policies[0].cost[\"GET /v1/feed\"]: must be an integer in 1..1000000"));
    assertTrue(error(withPolicies(policy("a b", "fixed-window", "limit", 5, "windowSeconds", 1)))
        .startsWith("limits.policies[0].name: 'a b' must be"));
    assertEquals("limits.policies[1].name: 'a' is already used by limits.policies[0].name",
        error(withPolicies(policy("a", "fixed-window", "limit", 5, "windowSeconds", 1),
            policy("a", "fixed-window", "limit", 5, "windowSeconds", 1))));
    assertTrue(error(withPolicies(policy("x", "fixed-window", "limit", 5, "windowSeconds", 1, "onRedisFailure", "retry")))
        .startsWith("limits.policies[0].onRedisFailure: 'retry' is not allowed; allowed values: closed, local, open"));
  }
}
