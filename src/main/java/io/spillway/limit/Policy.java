package io.spillway.limit;

import io.spillway.config.RateLimitPolicy;
import io.spillway.config.RateLimitPolicy.Algorithm;
import io.spillway.config.RateLimitPolicy.FailureMode;
import io.spillway.config.RateLimitPolicy.KeyKind;
import io.spillway.config.RoutePattern;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** A configured policy, compiled once per config: which requests it applies to, their key and cost. */
final class Policy {
  private record Rule(Set<String> methods, RoutePattern pattern, int cost) {
    boolean matches(RequestInfo r) {
      return (methods.isEmpty() || methods.contains(r.method())) && (pattern.matches(r.route()) || pattern.matches(r.path()));
    }

    /** Whether every request of {@code route} matches (TRUE), none does (FALSE), or it depends on the path (null). */
    Boolean matchesEvery(String method, String route) {
      if (!methods.isEmpty() && !methods.contains(method)) {
        return Boolean.FALSE;
      }
      if (pattern.matches(route)) {
        return Boolean.TRUE;
      }
      return pattern.mayMatchPathsOf(route) ? null : Boolean.FALSE;
    }
  }

  final RateLimitPolicy config;
  final String name;
  final Algorithm algorithm;
  final boolean shadow;
  final FailureMode onRedisFailure;
  /** The window the RateLimit-Policy header advertises ({@code w}); 0 when there is none to state. */
  final long headerWindowSeconds;
  /** Decided before authentication: its key needs nothing authentication finds out (see {@link Stage}). */
  final boolean beforeAuth;
  /** Units per lease in leased mode; 0 in exact mode. */
  final int leaseUnits;
  /** The policy as the Redis script takes it, encoded once by {@link RedisLimits#scriptArgs}. */
  final List<String> scriptArgs;
  private final List<KeyKind> key;
  private final String keySuffix;
  private final List<Rule> routes;
  private final List<Rule> costs;
  private final Set<String> plans;
  /** Where this policy stands in its config's list: its slot among a subject's leases ({@link Leases}). */
  final int index;

  Policy(RateLimitPolicy p, int index) {
    RateLimitPolicy.Common common = p.common();
    this.index = index;
    config = p;
    name = common.name();
    algorithm = p.algorithm();
    shadow = common.shadow();
    onRedisFailure = common.onRedisFailure();
    key = common.key();
    keySuffix = name + ":" + algorithm.configName();
    plans = Set.copyOf(common.plans());
    beforeAuth = plans.isEmpty() && key.stream().allMatch(k -> k == KeyKind.IP || k == KeyKind.ROUTE);
    List<Rule> routeRules = new ArrayList<>();
    for (RateLimitPolicy.Route r : common.routes()) {
      routeRules.add(new Rule(Set.copyOf(r.methods()), RoutePattern.parse(r.path()), r.cost().orElse(0)));
    }
    routes = List.copyOf(routeRules);
    List<Rule> costRules = new ArrayList<>();
    for (Map.Entry<String, Integer> e : common.costs().entrySet()) {
      String[] parts = e.getKey().split(" ");
      Set<String> methods = parts.length == 2 ? Set.of(parts[0]) : Set.of();
      costRules.add(new Rule(methods, RoutePattern.parse(parts[parts.length - 1]), e.getValue()));
    }
    // Most specific first: a rule naming the method wins over one for any method.
    costRules.sort((x, y) -> Integer.compare(y.methods().size(), x.methods().size()));
    costs = List.copyOf(costRules);
    scriptArgs = RedisLimits.scriptArgs(p);
    headerWindowSeconds = headerWindowSeconds(p);
    leaseUnits = common.lease() == null ? 0 : common.lease().units(p.capacity());
  }

  private static long headerWindowSeconds(RateLimitPolicy p) {
    if (p instanceof RateLimitPolicy.TokenBucket t) {
      return (long) Math.ceil(t.burst() / t.rate());
    }
    if (p instanceof RateLimitPolicy.Gcra g) {
      return (long) Math.ceil((double) g.windowSeconds() * g.burst() / g.limit());
    }
    if (p instanceof RateLimitPolicy.Quota q) {
      // A month has no fixed length; the header's window is optional, so it is left out rather than wrong.
      return q.period() == RateLimitPolicy.Period.DAY ? 86_400 : 0;
    }
    if (p instanceof RateLimitPolicy.FixedWindow f) {
      return f.windowSeconds();
    }
    if (p instanceof RateLimitPolicy.SlidingWindowLog l) {
      return l.windowSeconds();
    }
    if (p instanceof RateLimitPolicy.SlidingWindowCounter s) {
      return s.windowSeconds();
    }
    throw new IllegalStateException("no header window for " + p.algorithm());
  }

  /**
   * What this policy charges the request, or null when it does not apply: another route or plan, or the
   * request lacks a part of the key (an anonymous request under a per-user policy).
   */
  Charge charge(RequestInfo r, String keyPrefix) {
    if (!plans.isEmpty() && (r.plan() == null || !plans.contains(r.plan()))) {
      return null;
    }
    if (!routes.isEmpty() && !anyMatches(routes, r)) {
      return null;
    }
    return charge(r, keyPrefix, cost(r));
  }

  /** The charge of a request this policy is known to apply to, at {@code cost} per unit; null without a key. */
  Charge charge(RequestInfo r, String keyPrefix, int cost) {
    // The first key part is the hash tag: every policy keyed first by the same subject shares a Redis
    // Cluster slot, so they can be evaluated in one script (see docs/rate-limiting.md).
    String tag = null;
    StringBuilder rest = null;
    for (KeyKind kind : key) {
      String part = part(kind, r);
      if (part == null) {
        return null;
      }
      if (tag == null) {
        tag = part;
      } else {
        rest = (rest == null ? new StringBuilder() : rest).append(':').append(part);
      }
    }
    return Charge.on(this, keyPrefix, tag, rest == null ? "" : rest.toString(),
        (int) Math.min(1_000_000_000L, (long) cost * r.units()));
  }

  /** The Redis key of the subject {@code tag} (+ {@code rest}, the key's other parts) under this policy. */
  String key(String keyPrefix, String tag, String rest) {
    return keyPrefix + ":{" + tag + "}:" + keySuffix + rest;
  }

  private static boolean anyMatches(List<Rule> rules, RequestInfo r) {
    for (Rule rule : rules) {
      if (rule.matches(r)) {
        return true;
      }
    }
    return false;
  }

  /**
   * Whether this policy applies to every request of {@code method} on {@code route} with {@code plan} (TRUE),
   * to none (FALSE), or only to some paths of that route (null: decide per request).
   */
  Boolean appliesToEvery(String method, String route, String plan) {
    if (!plans.isEmpty() && (plan == null || !plans.contains(plan))) {
      return Boolean.FALSE;
    }
    if (routes.isEmpty()) {
      return Boolean.TRUE;
    }
    boolean undecided = false;
    for (Rule rule : routes) {
      Boolean m = rule.matchesEvery(method, route);
      if (m == Boolean.TRUE) {
        return Boolean.TRUE;
      }
      undecided |= m == null;
    }
    return undecided ? null : Boolean.FALSE;
  }

  /** What every request of {@code method} on {@code route} costs, or -1 when it depends on the path. */
  int costOfEvery(String method, String route) {
    for (Rule rule : routes) {
      if (rule.cost() > 0) {
        Boolean m = rule.matchesEvery(method, route);
        if (m == null) {
          return -1;
        }
        if (m) {
          return rule.cost();
        }
      }
    }
    for (Rule rule : costs) {
      Boolean m = rule.matchesEvery(method, route);
      if (m == null) {
        return -1;
      }
      if (m) {
        return rule.cost();
      }
    }
    return 1;
  }

  /** True when this policy is in leased mode and a request of {@code cost} fits in one lease. */
  boolean leased(int cost) {
    return cost <= leaseUnits;
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

  private static String part(KeyKind kind, RequestInfo r) {
    if (kind == KeyKind.CLIENT) {
      // The caller: the user when authenticated, else the client address.
      return r.user() != null && !r.user().isEmpty() ? part(KeyKind.USER, r) : part(KeyKind.IP, r);
    }
    String value = switch (kind) {
      case IP -> r.clientIp();
      case USER -> r.user();
      case API_KEY -> r.apiKey();
      case ROUTE -> r.method() + " " + r.route();
      case CLIENT -> null;
    };
    return value == null || value.isEmpty() ? null : kind.configName() + "=" + escape(value);
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
    return name + " (" + algorithm.configName() + ")";
  }
}
