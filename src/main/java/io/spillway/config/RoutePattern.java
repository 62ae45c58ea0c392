package io.spillway.config;

/**
 * The one path pattern of the project: {@code /v1/feed} (exact), {@code /v1/users/:id} ({@code :name} matches
 * any one non-empty segment), {@code /v1/*} (the prefix and everything below it, including nothing, as Vert.x
 * routes do). Rate-limit policies, shedding rules and the router's {@code Allow} header all match with it.
 *
 * <p>It matches a raw path and a route template alike ({@code :id} in a template is one segment like any
 * other), ignores one trailing slash (the router treats {@code /v1/feed/} as {@code /v1/feed}), and matching
 * allocates nothing: it runs on every request.
 */
public final class RoutePattern {
  private final String text;
  private final String[] segments;
  private final boolean rest;

  private RoutePattern(String text, String[] segments, boolean rest) {
    this.text = text;
    this.segments = segments;
    this.rest = rest;
  }

  /** The pattern, or {@link IllegalArgumentException} saying what is wrong with it (see {@link #problem}). */
  public static RoutePattern parse(String pattern) {
    String problem = problem(pattern);
    if (problem != null) {
      throw new IllegalArgumentException("'" + pattern + "' " + problem);
    }
    String[] parts = pattern.equals("/") ? new String[0] : pattern.substring(1).split("/", -1);
    boolean rest = parts.length > 0 && parts[parts.length - 1].equals("*");
    String[] segments = rest ? java.util.Arrays.copyOf(parts, parts.length - 1) : parts;
    return new RoutePattern(pattern, segments, rest);
  }

  /** Why {@code pattern} is not a pattern, or null when it is one. */
  public static String problem(String pattern) {
    if (pattern == null || !pattern.startsWith("/")) {
      return "must start with /";
    }
    if (pattern.equals("/")) {
      return null;
    }
    String[] segments = pattern.substring(1).split("/", -1);
    for (int i = 0; i < segments.length; i++) {
      String s = segments[i];
      boolean last = i == segments.length - 1;
      if (s.equals("*") && !last) {
        return "has * before the last segment; allowed: /literal, /:param segments and a final /*";
      }
      if (s.contains("*") && !s.equals("*")) {
        return "has * inside a segment; allowed: /literal, /:param segments and a final /*";
      }
      if (s.equals(":")) {
        return "has a parameter without a name";
      }
      if (s.isEmpty()) {
        return "has an empty segment";
      }
    }
    return null;
  }

  public boolean matches(String path) {
    if (path == null || path.isEmpty() || path.charAt(0) != '/') {
      return false;
    }
    int end = path.length();
    if (end > 1 && path.charAt(end - 1) == '/') {
      end--;
    }
    int pos = 0;
    for (String segment : segments) {
      if (pos >= end || path.charAt(pos) != '/') {
        return false;
      }
      int start = pos + 1;
      int next = path.indexOf('/', start);
      int stop = next < 0 || next > end ? end : next;
      if (stop == start) {
        return false;
      }
      if (segment.charAt(0) != ':'
          && (stop - start != segment.length() || !path.regionMatches(start, segment, 0, segment.length()))) {
        return false;
      }
      pos = stop;
    }
    return rest || pos == end || (pos == 0 && end == 1);
  }

  /**
   * Whether some request path of route {@code template} could match: like {@link #matches} on the template,
   * except that a {@code :param} segment of the template stands for any one segment, so a literal of the
   * pattern there may match. False means no path of that route matches, whatever its parameters.
   */
  public boolean mayMatchPathsOf(String template) {
    if (template == null || template.isEmpty() || template.charAt(0) != '/') {
      return true;
    }
    String[] parts = template.equals("/") ? new String[0] : template.substring(1).split("/", -1);
    int count = parts.length > 0 && parts[parts.length - 1].isEmpty() ? parts.length - 1 : parts.length;
    if (count > 0 && parts[count - 1].equals("*")) {
      return true; // a prefix route: its paths can be anything below it
    }
    if (count < segments.length || (!rest && count != segments.length)) {
      return false;
    }
    for (int i = 0; i < segments.length; i++) {
      String mine = segments[i];
      String theirs = parts[i];
      if (theirs.isEmpty()) {
        return false;
      }
      if (mine.charAt(0) != ':' && theirs.charAt(0) != ':' && !mine.equals(theirs)) {
        return false;
      }
    }
    return true;
  }

  @Override
  public String toString() {
    return text;
  }
}
