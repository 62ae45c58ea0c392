package io.spillway.shed;

import io.spillway.config.Priority;
import io.spillway.config.RoutePattern;
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

  /** The path pattern of the rule that gives this request its priority, or null when none matches. */
  String rule(String method, String template, String path) {
    for (String candidate : new String[] {template, path}) {
      if (candidate == null) {
        continue;
      }
      for (Rule rule : rules) {
        if (rule.matches(method, candidate)) {
          return rule.path;
        }
      }
    }
    return null;
  }

  private Priority match(String method, String path) {
    for (Rule rule : rules) {
      if (rule.matches(method, path)) {
        return rule.priority;
      }
    }
    return null;
  }

  private record Rule(Priority priority, Set<String> methods, RoutePattern pattern, String path) {
    static Rule of(ShedConfig.RouteRule r) {
      return new Rule(r.priority(), Set.copyOf(r.methods()), RoutePattern.parse(r.path()), r.path());
    }

    boolean matches(String method, String path) {
      return (methods.isEmpty() || methods.contains(method)) && pattern.matches(path);
    }
  }
}
