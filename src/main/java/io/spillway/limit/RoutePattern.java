package io.spillway.limit;

/**
 * A policy's route: {@code /v1/feed} (exact), {@code /v1/users/:id} ({@code :name} matches any one segment),
 * {@code /v1/*} (the prefix and everything below it, as Vert.x routes do). Matches a route template as well as
 * a raw path, so {@code /v1/users/:id} applies to the route {@code /v1/users/:id} and to {@code /v1/users/42}.
 */
final class RoutePattern {
  private final String[] segments;
  private final boolean prefix;

  private RoutePattern(String[] segments, boolean prefix) {
    this.segments = segments;
    this.prefix = prefix;
  }

  static RoutePattern of(String pattern) {
    boolean prefix = pattern.endsWith("/*");
    String body = prefix ? pattern.substring(0, pattern.length() - 2) : pattern;
    String trimmed = strip(body);
    return new RoutePattern(trimmed.isEmpty() ? new String[0] : trimmed.split("/+"), prefix);
  }

  boolean matches(String path) {
    if (path == null) {
      return false;
    }
    String p = strip(path);
    int at = 0;
    for (String expected : segments) {
      if (at >= p.length()) {
        return false;
      }
      int end = p.indexOf('/', at);
      if (end < 0) {
        end = p.length();
      }
      boolean any = expected.charAt(0) == ':';
      if (!any && (end - at != expected.length() || !p.startsWith(expected, at))) {
        return false;
      }
      if (end == at) {
        return false;
      }
      at = end + 1;
    }
    return prefix || at >= p.length();
  }

  private static String strip(String path) {
    int from = 0;
    int to = path.length();
    while (from < to && path.charAt(from) == '/') {
      from++;
    }
    while (to > from && path.charAt(to - 1) == '/') {
      to--;
    }
    return path.substring(from, to);
  }
}
