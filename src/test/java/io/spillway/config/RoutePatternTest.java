package io.spillway.config;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The one path pattern used by rate-limit policies, shedding rules and the router's Allow header. */
class RoutePatternTest {
  @Test
  void matchesPathsAndTemplates() {
    RoutePattern prefix = RoutePattern.parse("/v1/*");
    assertTrue(prefix.matches("/v1"));
    assertTrue(prefix.matches("/v1/feed"));
    assertTrue(prefix.matches("/v1/users/42/posts"));
    assertFalse(prefix.matches("/v10/feed"));
    assertFalse(prefix.matches("/v2/feed"));
    RoutePattern param = RoutePattern.parse("/v1/users/:id");
    assertTrue(param.matches("/v1/users/42"));
    assertTrue(param.matches("/v1/users/:id"));
    assertTrue(param.matches("/v1/users/42/"));
    assertFalse(param.matches("/v1/users"));
    assertFalse(param.matches("/v1/users/42/posts"));
    assertTrue(RoutePattern.parse("/v1/feed").matches("/v1/feed"));
    assertFalse(RoutePattern.parse("/v1/feed").matches("/v1/feeds"));
    assertTrue(RoutePattern.parse("/*").matches("/anything/at/all"));
  }

  @Test
  void tellsWhetherAnyPathOfARouteCouldMatch() {
    assertTrue(RoutePattern.parse("/v1/users/42").mayMatchPathsOf("/v1/users/:id"), "the id may be 42");
    assertFalse(RoutePattern.parse("/v1/users/42").mayMatchPathsOf("/v1/users/:id/posts"));
    assertFalse(RoutePattern.parse("/v1/stream").mayMatchPathsOf("/v1/users/:id"));
    assertFalse(RoutePattern.parse("/v2/*").mayMatchPathsOf("/v1/users/:id"));
    assertTrue(RoutePattern.parse("/v1/users/:id/*").mayMatchPathsOf("/v1/users/:id/posts"));
    assertTrue(RoutePattern.parse("/v1/feed").mayMatchPathsOf("/v1/*"), "a prefix route's paths can be anything below");
  }

  @Test
  void rootAndDoubleSlashes() {
    assertTrue(RoutePattern.parse("/").matches("/"));
    assertFalse(RoutePattern.parse("/").matches("/v1"));
    assertFalse(RoutePattern.parse("/v1/users/:id").matches("/v1//users"));
    assertFalse(RoutePattern.parse("/v1/users/:id").matches("v1/users/1"));
  }

  @Test
  void refusesPatternsItCannotMatch() {
    assertNull(RoutePattern.problem("/v1/users/:id/posts"));
    assertNotNull(RoutePattern.problem("v1/feed"));
    assertNotNull(RoutePattern.problem("/v1/*/feed"));
    assertNotNull(RoutePattern.problem("/v1/fe*"));
    assertNotNull(RoutePattern.problem("/v1//feed"));
    assertNotNull(RoutePattern.problem("/v1/:"));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> RoutePattern.parse("/v1/*/x"));
    assertEquals("'/v1/*/x' has * before the last segment; allowed: /literal, /:param segments and a final /*",
        e.getMessage());
  }
}
