package io.spillway.shed;

import io.spillway.config.Priority;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

class RouteClassifierTest {
  private final RouteClassifier classifier = new RouteClassifier(Configs.shed("""
      {"routes": [
        {"priority": "critical", "path": "/v1/auth/token", "methods": ["POST"]},
        {"priority": "sheddable", "path": "/v1/feed"},
        {"priority": "sheddable", "path": "/v1/users/:id/posts", "methods": ["get"]},
        {"priority": "critical", "path": "/v1/*", "methods": ["POST", "PUT", "PATCH", "DELETE"]},
        {"priority": "sheddable", "path": "/v1/search/*"},
        {"priority": "critical", "path": "/"}
      ]}""").routes());

  private Priority raw(String method, String path) {
    return classifier.classify(method, null, path);
  }

  @Test
  void literalPathsAndMethods() {
    assertEquals(Priority.CRITICAL, raw("POST", "/v1/auth/token"));
    assertEquals(Priority.SHEDDABLE, raw("GET", "/v1/feed"));
    assertEquals(Priority.SHEDDABLE, raw("POST", "/v1/feed"), "a rule without methods takes every method");
    assertEquals(Priority.SHEDDABLE, raw("GET", "/v1/feed/"), "a trailing slash is the same resource");
    assertEquals(Priority.NORMAL, raw("GET", "/v1/auth/token"), "the rule is for POST only");
    assertEquals(Priority.NORMAL, raw("GET", "/v1/feeds"));
    assertEquals(Priority.NORMAL, raw("GET", "/v1/fee"));
  }

  @Test
  void parametersMatchOneSegment() {
    assertEquals(Priority.SHEDDABLE, raw("GET", "/v1/users/42/posts"));
    assertEquals(Priority.NORMAL, raw("GET", "/v1/users/42"));
    assertEquals(Priority.NORMAL, raw("GET", "/v1/users//posts"), "a parameter needs a value");
    assertEquals(Priority.NORMAL, raw("GET", "/v1/users/42/posts/7"));
  }

  @Test
  void aFinalStarMatchesAnyRestIncludingNone() {
    assertEquals(Priority.CRITICAL, raw("DELETE", "/v1/posts/9"));
    assertEquals(Priority.CRITICAL, raw("PUT", "/v1"));
    assertEquals(Priority.SHEDDABLE, raw("GET", "/v1/search/posts/recent"));
    assertEquals(Priority.SHEDDABLE, raw("GET", "/v1/search"));
    assertEquals(Priority.NORMAL, raw("GET", "/v2/search"));
  }

  @Test
  void theFirstMatchingRuleWins() {
    assertEquals(Priority.SHEDDABLE, raw("POST", "/v1/feed"), "the feed rule comes before the writes rule");
    assertEquals(Priority.CRITICAL, raw("POST", "/v1/search/x"), "the writes rule comes before the search rule");
  }

  @Test
  void theRootPath() {
    assertEquals(Priority.CRITICAL, raw("GET", "/"));
    assertEquals(Priority.NORMAL, raw("GET", "/health"));
  }

  @Test
  void aRouteTemplateIsMatchedFirstThenThePath() {
    assertEquals(Priority.SHEDDABLE, classifier.classify("GET", "/v1/users/:id/posts", "/v1/users/42/posts"));
    assertEquals(Priority.SHEDDABLE, classifier.classify("GET", "/v1/users/:userId/posts", "/v1/users/42/posts"),
        "the parameter's name does not matter");
    assertEquals(Priority.SHEDDABLE, classifier.classify("GET", "/other/:x", "/v1/feed"),
        "a template no rule names falls back to the path");
  }

  @Test
  void unlistedRoutesAreNormal() {
    RouteClassifier none = new RouteClassifier(Configs.shed("{\"routes\": []}").routes());
    assertEquals(Priority.NORMAL, none.classify("POST", "/v1/auth/token", "/v1/auth/token"));
  }

  @Test
  void theShippedRulesKeepSignUpAndLoginOutOfTheCriticalReserve() {
    RouteClassifier shipped = new RouteClassifier(Configs.shed("{}").routes());
    assertEquals(Priority.NORMAL, shipped.classify("POST", "/v1/auth/token", "/v1/auth/token"),
        "an anonymous login costs a password hash: it must not use capacity held back for writes");
    assertEquals(Priority.NORMAL, shipped.classify("POST", "/v1/users", "/v1/users"));
    assertEquals(Priority.CRITICAL, shipped.classify("POST", "/v1/posts", "/v1/posts"));
    assertEquals(Priority.CRITICAL, shipped.classify("PATCH", "/v1/users/:id", "/v1/users/7"));
  }
}
