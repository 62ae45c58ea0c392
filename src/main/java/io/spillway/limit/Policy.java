package io.spillway.limit;

import io.spillway.config.LimitsConfig;
import io.spillway.config.RoutePattern;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** A configured policy, compiled once per config: which requests it applies to, their key and cost. */
final class Policy {
  enum FailureMode { OPEN, CLOSED, LOCAL }

  private record Rule(Set<String> methods, RoutePattern pattern, int cost) {
    boolean matches(RequestInfo r) {
      return (methods.isEmpty() || methods.contains(r.method())) && (pattern.matches(r.route()) || pattern.matches(r.path()));
    }
  }

  final String name;
  final Algorithm algorithm;
  final long limit;
  final double rate;
  final long burst;
  final long windowSeconds;
  final String period;
  final boolean shadow;
  final FailureMode onRedisFailure;
  /** The most one request may cost: the bucket size or the limit. */
  final long capacity;
  /** The window the RateLimit-Policy header advertises ({@code w}); 0 when there is none to state. */
  final long headerWindowSeconds;
  /** The algorithm's three parameters as the Lua script takes them. */
  final String a;
  final String b;
  final String c;
  private final List<String> key;
  private final List<Rule> routes;
  private final List<Rule> costs;
  private final Set<String> plans;

  Policy(LimitsConfig.Policy p) {
    name = p.name();
    algorithm = Algorithm.of(p.algorithm());
    limit = p.limit();
    rate = p.rate();
    burst = p.burst();
    windowSeconds = p.windowSeconds();
    period = p.period();
    shadow = p.shadow();
    onRedisFailure = FailureMode.valueOf(p.onRedisFailure().toUpperCase());
    key = p.key();
    plans = Set.copyOf(p.plans());
    List<Rule> routeRules = new ArrayList<>();
    for (LimitsConfig.Route r : p.routes()) {
      routeRules.add(new Rule(Set.copyOf(r.methods()), RoutePattern.parse(r.path()), r.cost()));
    }
    routes = List.copyOf(routeRules);
    List<Rule> costRules = new ArrayList<>();
    for (Map.Entry<String, Integer> e : p.costs().entrySet()) {
      String[] parts = e.getKey().split(" ");
      Set<String> methods = parts.length == 2 ? Set.of(parts[0]) : Set.of();
      costRules.add(new Rule(methods, RoutePattern.parse(parts[parts.length - 1]), e.getValue()));
    }
    // Most specific first: a rule naming the method wins over one for any method.
    costRules.sort((x, y) -> Integer.compare(y.methods().size(), x.methods().size()));
    costs = List.copyOf(costRules);
    long windowMs = windowSeconds * 1000;
    switch (algorithm) {
      case TOKEN_BUCKET -> {
        capacity = burst;
        headerWindowSeconds = (long) Math.ceil(burst / rate);
        a = BigDecimal.valueOf(rate).toPlainString();
        b = Long.toString(burst);
        c = "0";
      }
      case GCRA -> {
        capacity = burst;
        headerWindowSeconds = (long) Math.ceil((double) windowSeconds * burst / limit);
        a = Long.toString(limit);
        b = Long.toString(windowMs);
        c = Long.toString(burst);
      }
      case QUOTA -> {
        capacity = limit;
        // A month has no fixed length; the header's window is optional, so it is left out rather than wrong.
        headerWindowSeconds = period.equals("day") ? 86_400 : 0;
        a = Long.toString(limit);
        b = period;
        c = "0";
      }
      default -> {
        capacity = limit;
        headerWindowSeconds = windowSeconds;
        a = Long.toString(limit);
        b = Long.toString(windowMs);
        c = "0";
      }
    }
  }

  /**
   * What this policy charges the request, or null when it does not apply: another route or plan, or the
   * request lacks a part of the key (an anonymous request under a per-user policy).
   */
  Charge charge(RequestInfo r, String keyPrefix) {
    if (!plans.isEmpty() && (r.plan() == null || !plans.contains(r.plan()))) {
      return null;
    }
    if (!routes.isEmpty() && routes.stream().noneMatch(rule -> rule.matches(r))) {
      return null;
    }
    // The first key part is the hash tag: every policy keyed first by the same subject shares a Redis
    // Cluster slot, so they can be evaluated in one script (see docs/rate-limiting.md).
    String tag = null;
    StringBuilder rest = new StringBuilder();
    for (String kind : key) {
      String part = part(kind, r);
      if (part == null) {
        return null;
      }
      if (tag == null) {
        tag = part;
      } else {
        rest.append(':').append(part);
      }
    }
    String redisKey = keyPrefix + ":{" + tag + "}:" + name + ":" + algorithm.id + rest;
    return new Charge(this, redisKey, tag, cost(r));
  }

  int cost(RequestInfo r) {
    for (Rule rule : routes) {
      if (rule.cost() > 0 && rule.matches(r)) {
        return rule.cost();
      }
    }
    for (Rule rule : costs) {
      if (rule.matches(r)) {
        return rule.cost();
      }
    }
    return 1;
  }

  private static String part(String kind, RequestInfo r) {
    if (kind.equals("client")) {
      // The caller: the user when authenticated, else the client address.
      return r.user() != null && !r.user().isEmpty() ? part("user", r) : part("ip", r);
    }
    String value = switch (kind) {
      case "ip" -> r.clientIp();
      case "user" -> r.user();
      case "apiKey" -> r.apiKey();
      case "route" -> r.method() + " " + r.route();
      default -> null;
    };
    return value == null || value.isEmpty() ? null : kind + "=" + escape(value);
  }

  /** Braces in a value would end the hash tag early and move the key to another slot. */
  private static String escape(String value) {
    if (value.indexOf('{') < 0 && value.indexOf('}') < 0 && value.indexOf('%') < 0) {
      return value;
    }
    return value.replace("%", "%25").replace("{", "%7B").replace("}", "%7D");
  }

  @Override
  public String toString() {
    return name + " (" + algorithm.id + ")";
  }
}
