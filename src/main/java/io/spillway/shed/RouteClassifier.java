package io.spillway.shed;

import io.spillway.config.ShedConfig;

import java.util.List;
import java.util.Set;

/**
 * Gives each request its priority from the configured rules; the first rule that matches wins, as in a
 * router, and a request no rule matches is {@link Priority#NORMAL}.
 *
 * <p>A rule is tried against the matched route's template when there is one ({@code /v1/users/:id}; a
 * {@code :param} in the rule matches a {@code :param} in the template like any other segment), and against
 * the raw path otherwise: the shedder usually runs before route matching, where only the path is known, and
 * matching the path needs no allocation.
 */
final class RouteClassifier {
  private final Rule[] rules;

  RouteClassifier(List<ShedConfig.RouteRule> config) {
    rules = config.stream().map(Rule::of).toArray(Rule[]::new);
  }

  Priority classify(String method, String template, String path) {
    if (template != null) {
      Priority p = match(method, template);
      if (p != null) {
        return p;
      }
    }
    Priority p = path == null ? null : match(method, path);
    return p == null ? Priority.NORMAL : p;
  }

  private Priority match(String method, String path) {
    for (Rule rule : rules) {
      if (rule.matches(method, path)) {
        return rule.priority;
      }
    }
    return null;
  }

  private record Rule(Priority priority, Set<String> methods, String[] segments, boolean rest) {
    static Rule of(ShedConfig.RouteRule r) {
      String[] parts = r.path().equals("/") ? new String[0] : r.path().substring(1).split("/");
      boolean rest = parts.length > 0 && parts[parts.length - 1].equals("*");
      String[] segments = rest ? java.util.Arrays.copyOf(parts, parts.length - 1) : parts;
      return new Rule(Priority.of(r.priority()), Set.copyOf(r.methods()), segments, rest);
    }

    boolean matches(String method, String path) {
      if (!methods.isEmpty() && !methods.contains(method)) {
        return false;
      }
      int end = path.length();
      // "/v1/feed/" is the same resource as "/v1/feed" to the router; "/" has no segments at all.
      if (end > 0 && path.charAt(end - 1) == '/') {
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
        if (segment.charAt(0) == ':') {
          if (stop == start) {
            return false;
          }
        } else if (stop - start != segment.length() || !path.regionMatches(start, segment, 0, segment.length())) {
          return false;
        }
        pos = stop;
      }
      return rest || pos == end;
    }
  }
}
