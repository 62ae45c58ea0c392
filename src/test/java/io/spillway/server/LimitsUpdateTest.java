package io.spillway.server;

import io.spillway.config.ConfigException;
import io.spillway.config.LimitsConfig;
import io.spillway.config.RateLimitPolicy;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What {@code PUT /admin/limits} makes of its body: the shipped {@code limits} section under it, checked as at start. */
class LimitsUpdateTest {
  @Test
  void theBodyLiesOverTheShippedSectionAndItsPoliciesReplaceTheShippedOnes() {
    LimitsConfig c = LimitsUpdate.parse(new JsonObject().put("expectedNodes", 3).put("policies", new JsonArray()
        .add(new JsonObject().put("name", "only").put("algorithm", "fixed-window").put("limit", 5)
            .put("windowSeconds", 60))));
    assertEquals(3, c.expectedNodes());
    assertFalse(c.legacyHeaders(), "a key the body leaves out has its shipped default");
    assertEquals(List.of("127.0.0.1", "::1"), c.trustedProxies());
    assertEquals(List.of("only"), c.policies().stream().map(RateLimitPolicy::name).toList());
    assertEquals(RateLimitPolicy.FailureMode.LOCAL, c.policies().get(0).common().onRedisFailure());
  }

  @Test
  void anEmptyBodyIsTheShippedLimits() {
    assertEquals(io.spillway.config.ConfigSource.defaults().getJsonObject("limits").getJsonArray("policies").size(),
        LimitsUpdate.parse(new JsonObject()).policies().size());
  }

  @Test
  void aBadBodyNamesTheKeyAsAtStart() {
    ConfigException e = assertThrows(ConfigException.class, () -> LimitsUpdate.parse(new JsonObject()
        .put("breaker", new JsonObject().put("openMs", 1))));
    assertEquals("limits.breaker.openMs: 1 is out of range; allowed: 10..3600000", e.getMessage());
  }
}
