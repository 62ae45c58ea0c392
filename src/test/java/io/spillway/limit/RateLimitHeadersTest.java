package io.spillway.limit;

import io.vertx.core.MultiMap;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RateLimitHeadersTest {

  private static Decision admitted(String policy, long limit, long remaining, long resetMs, long window) {
    return new Decision(true, false, false, policy, limit, remaining, resetMs, 0, window, null, null, false);
  }

  private static Decision rejected(String policy, long limit, long retryMs, long window) {
    return new Decision(false, false, false, policy, limit, 0, retryMs, retryMs, window, policy,
        Decision.LIMIT_EXCEEDED, false);
  }

  @Test
  void structuredFieldsForTheMostRestrictivePolicy() {
    MultiMap h = MultiMap.caseInsensitiveMultiMap();
    RateLimitHeaders.apply(admitted("per-minute", 100, 42, 16_200, 60), h, false);
    assertEquals("\"per-minute\";q=100;w=60", h.get("RateLimit-Policy"));
    assertEquals("\"per-minute\";r=42;t=17", h.get("RateLimit"));
    assertNull(h.get("X-RateLimit-Limit"));
    assertNull(h.get("Retry-After"));
  }

  @Test
  void legacyHeadersWhenConfigured() {
    MultiMap h = MultiMap.caseInsensitiveMultiMap();
    RateLimitHeaders.apply(admitted("p", 10, 3, 1_000, 1), h, true);
    assertEquals("10", h.get("X-RateLimit-Limit"));
    assertEquals("3", h.get("X-RateLimit-Remaining"));
    assertEquals("1", h.get("X-RateLimit-Reset"));
  }

  @Test
  void retryAfterIsWholeSecondsAtLeastOne() {
    MultiMap h = MultiMap.caseInsensitiveMultiMap();
    RateLimitHeaders.apply(rejected("p", 10, 120, 1), h, false);
    assertEquals("1", h.get("Retry-After"));
    assertEquals("\"p\";r=0;t=1", h.get("RateLimit"));
    h = MultiMap.caseInsensitiveMultiMap();
    RateLimitHeaders.apply(rejected("p", 10, 2_001, 1), h, false);
    assertEquals("3", h.get("Retry-After"));
  }

  @Test
  void noRetryAfterWhenWaitingCannotHelp() {
    MultiMap h = MultiMap.caseInsensitiveMultiMap();
    Decision d = new Decision(false, false, false, "p", 5, 5, 0, -1, 10, "p", Decision.COST_EXCEEDS_CAPACITY, false);
    RateLimitHeaders.apply(d, h, false);
    assertFalse(h.contains("Retry-After"));
    assertEquals("\"p\";r=5;t=0", h.get("RateLimit"));
  }

  @Test
  void windowLeftOutWhenThePolicyHasNone() {
    assertEquals("\"monthly\";q=1000", RateLimitHeaders.policy(admitted("monthly", 1000, 1, 5, 0)));
  }

  @Test
  void nothingWhenNoPolicyApplied() {
    MultiMap h = MultiMap.caseInsensitiveMultiMap();
    RateLimitHeaders.apply(Decision.unlimited(), h, true);
    assertTrue(h.isEmpty());
  }

  @Test
  void namesAreEscapedAsStructuredFieldStrings() {
    assertEquals("\"a\\\"b\\\\c\"", RateLimitHeaders.sfString("a\"b\\c"));
  }
}
