package io.spillway.config;

import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Rate limiting: the policies every request is checked against, and how the limiter behaves when Redis fails.
 *
 * <pre>
 * limits.enabled            boolean, default true: false admits everything without touching Redis
 * limits.expectedNodes      integer >= 1, default 1: a node deciding locally (Redis down) allows limit / nodes
 * limits.legacyHeaders      boolean, default false: also send X-RateLimit-Limit / -Remaining / -Reset
 * limits.trustedProxies     ["127.0.0.1", "10.0.0.0/8", "fd00::/8"]: peers whose X-Forwarded-For is believed
 * limits.redisTimeoutMs     integer, default 250: a Redis evaluation slower than this counts as a failure
 * limits.keyPrefix          string, default "spillway:rl": prefix of every Redis key
 * limits.cluster            boolean, default false: Redis is a Cluster (evaluate per hash slot, see docs)
 * limits.breaker.failureThreshold  integer, default 5: consecutive failures that open the breaker
 * limits.breaker.openMs            integer, default 5000: how long Redis is skipped before one probe
 * limits.policies[i].name           required, [A-Za-z0-9._-]{1,64}, unique (headers, metrics, keys)
 * limits.policies[i].algorithm      required: token-bucket | gcra | fixed-window | sliding-window-log |
 *                                   sliding-window-counter | quota
 *   token-bucket:                   rate (tokens per second, > 0), burst (bucket size)
 *   gcra:                           limit, windowSeconds, burst (optional, default limit)
 *   fixed-window, sliding-window-*: limit, windowSeconds
 *   quota:                          limit, period (day | month, UTC calendar)
 * limits.policies[i].key            ["ip" | "user" | "client" (user, else ip) | "apiKey" | "route", ...], default ["ip"]: what one
 *                                   counter is per; a request missing a part (anonymous for "user") is
 *                                   not subject to the policy
 * limits.policies[i].routes         [{path: "/v1/*" | "/v1/feed" | "/v1/users/:id", methods: ["GET"], cost: 5}],
 *                                   default: every route
 * limits.policies[i].cost           {"GET /v1/feed": 5, "/v1/search": 2}: units a request takes, default 1
 * limits.policies[i].plans          ["free", "pro"]: only requests whose API key has one of these plans
 * limits.policies[i].shadow         boolean, default false: evaluate, count, send headers, never reject
 * limits.policies[i].onRedisFailure open | closed | local, default local
 * </pre>
 */
public record LimitsConfig(
    boolean enabled,
    int expectedNodes,
    boolean legacyHeaders,
    List<String> trustedProxies,
    long redisTimeoutMs,
    String keyPrefix,
    boolean cluster,
    Breaker breaker,
    List<Policy> policies) {

  public static final Set<String> ALGORITHMS = Set.of(
      "token-bucket", "gcra", "fixed-window", "sliding-window-log", "sliding-window-counter", "quota");
  public static final Set<String> KEY_KINDS = Set.of("ip", "user", "client", "apiKey", "route");
  public static final Set<String> FAILURE_MODES = Set.of("open", "closed", "local");
  public static final Set<String> PERIODS = Set.of("day", "month");
  private static final Set<String> METHODS = HttpMethods.ALL;
  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9._-]{1,64}");
  private static final long MAX_WINDOW_SECONDS = 366L * 86_400;
  private static final long MAX_LIMIT = 1_000_000_000L;

  /** Skip Redis after {@code failureThreshold} consecutive failures, for {@code openMs}, then probe once. */
  public record Breaker(int failureThreshold, long openMs) {}

  /** One rate-limit policy. Numbers an algorithm does not use are 0. */
  public record Policy(
      String name,
      String algorithm,
      long limit,
      double rate,
      long burst,
      long windowSeconds,
      String period,
      List<String> key,
      List<Route> routes,
      Map<String, Integer> costs,
      List<String> plans,
      boolean shadow,
      String onRedisFailure) {}

  /** A route a policy applies to; {@code cost} 0 means "not set here". */
  public record Route(String path, List<String> methods, int cost) {}

  public static LimitsConfig from(ConfigReader r) {
    ConfigReader breaker = r.child("breaker");
    List<String> proxies = r.strings("trustedProxies");
    for (int i = 0; i < proxies.size(); i++) {
      String error = Cidr.problem(proxies.get(i));
      if (error != null) {
        throw new ConfigException(r.key("trustedProxies") + "[" + i + "]: '" + proxies.get(i) + "' " + error);
      }
    }
    List<ConfigReader> items = r.children("policies");
    List<Policy> policies = new ArrayList<>();
    Map<String, String> names = new HashMap<>();
    for (ConfigReader item : items) {
      Policy p = policy(item);
      String previous = names.putIfAbsent(p.name(), item.key("name"));
      if (previous != null) {
        throw new ConfigException(item.key("name") + ": '" + p.name() + "' is already used by " + previous);
      }
      policies.add(p);
    }
    String prefix = r.string("keyPrefix", "spillway:rl");
    if (prefix.isBlank() || prefix.contains("{") || prefix.contains("}")) {
      throw new ConfigException(r.key("keyPrefix") + ": '" + prefix + "' must be non-blank and without { }");
    }
    return new LimitsConfig(
        r.bool("enabled", true),
        r.integer("expectedNodes", 1, 1, 10_000),
        r.bool("legacyHeaders", false),
        proxies,
        r.number("redisTimeoutMs", 250, 1, 60_000),
        prefix,
        r.bool("cluster", false),
        new Breaker(breaker.integer("failureThreshold", 5, 1, 1_000_000), breaker.number("openMs", 5000, 10, 3_600_000)),
        List.copyOf(policies));
  }

  /** Limits switched off: every request is admitted, nothing touches Redis. */
  public static LimitsConfig disabled() {
    return from(new ConfigReader(new JsonObject().put("enabled", false), "limits"));
  }

  private static Policy policy(ConfigReader p) {
    String name = p.requiredString("name");
    if (!NAME.matcher(name).matches()) {
      throw new ConfigException(p.key("name") + ": '" + name + "' must be 1-64 characters of A-Z a-z 0-9 . _ -");
    }
    if (!p.has("algorithm")) {
      throw new ConfigException(p.key("algorithm") + ": is required; allowed values: " + sorted(ALGORITHMS));
    }
    String algorithm = p.oneOf("algorithm", null, ALGORITHMS);
    long limit = 0;
    double rate = 0;
    long burst = 0;
    long window = 0;
    String period = null;
    switch (algorithm) {
      case "token-bucket" -> {
        rate = requiredDecimal(p, "rate", algorithm);
        burst = requiredNumber(p, "burst", algorithm, MAX_LIMIT);
        unused(p, algorithm, "limit", "windowSeconds", "period");
      }
      case "gcra" -> {
        limit = requiredNumber(p, "limit", algorithm, MAX_LIMIT);
        window = requiredNumber(p, "windowSeconds", algorithm, MAX_WINDOW_SECONDS);
        burst = p.number("burst", limit, 1, MAX_LIMIT);
        unused(p, algorithm, "rate", "period");
      }
      case "quota" -> {
        limit = requiredNumber(p, "limit", algorithm, MAX_LIMIT);
        if (!p.has("period")) {
          throw new ConfigException(p.key("period") + ": is required for algorithm quota; allowed values: "
              + sorted(PERIODS));
        }
        period = p.oneOf("period", null, PERIODS);
        unused(p, algorithm, "rate", "burst", "windowSeconds");
      }
      default -> {
        // Every log entry of a sliding-window-log is a sorted-set member: its limit bounds memory per subject.
        long maxLimit = algorithm.equals("sliding-window-log") ? 100_000 : MAX_LIMIT;
        limit = requiredNumber(p, "limit", algorithm, maxLimit);
        window = requiredNumber(p, "windowSeconds", algorithm, MAX_WINDOW_SECONDS);
        unused(p, algorithm, "rate", "burst", "period");
      }
    }
    return new Policy(name, algorithm, limit, rate, burst, window, period, keyKinds(p), routes(p), costs(p),
        p.strings("plans"), p.bool("shadow", false), p.oneOf("onRedisFailure", "local", FAILURE_MODES));
  }

  private static long requiredNumber(ConfigReader p, String name, String algorithm, long max) {
    if (!p.has(name)) {
      throw new ConfigException(p.key(name) + ": is required for algorithm " + algorithm + " (an integer in 1.." + max + ")");
    }
    return p.number(name, 0, 1, max);
  }

  private static double requiredDecimal(ConfigReader p, String name, String algorithm) {
    if (!p.has(name)) {
      throw new ConfigException(p.key(name) + ": is required for algorithm " + algorithm + " (a number > 0)");
    }
    double d = p.decimal(name, 0, 0, MAX_LIMIT);
    if (d <= 0) {
      throw new ConfigException(p.key(name) + ": must be greater than 0, got " + d);
    }
    return d;
  }

  /** A number the algorithm ignores is almost always a mistake (a fixed window given a "rate"): say so. */
  private static void unused(ConfigReader p, String algorithm, String... names) {
    for (String name : names) {
      if (p.has(name)) {
        throw new ConfigException(p.key(name) + ": is not used by algorithm " + algorithm);
      }
    }
  }

  private static List<String> keyKinds(ConfigReader p) {
    List<String> kinds = p.has("key") ? p.strings("key") : List.of("ip");
    if (kinds.isEmpty()) {
      throw new ConfigException(p.key("key") + ": must name at least one of " + sorted(KEY_KINDS));
    }
    for (int i = 0; i < kinds.size(); i++) {
      String kind = kinds.get(i);
      if (!KEY_KINDS.contains(kind)) {
        throw new ConfigException(p.key("key") + "[" + i + "]: '" + kind + "' is not allowed; allowed values: "
            + sorted(KEY_KINDS));
      }
      if (kinds.indexOf(kind) != i) {
        throw new ConfigException(p.key("key") + "[" + i + "]: '" + kind + "' is listed twice");
      }
    }
    return kinds;
  }

  private static List<Route> routes(ConfigReader p) {
    List<Route> routes = new ArrayList<>();
    for (ConfigReader route : p.children("routes")) {
      String path = route.requiredString("path");
      String error = pathError(path);
      if (error != null) {
        throw new ConfigException(route.key("path") + ": '" + path + "' " + error);
      }
      List<String> methods = route.strings("methods");
      for (int i = 0; i < methods.size(); i++) {
        if (!METHODS.contains(methods.get(i))) {
          throw new ConfigException(route.key("methods") + "[" + i + "]: '" + methods.get(i)
              + "' is not allowed; allowed values: " + sorted(METHODS));
        }
      }
      routes.add(new Route(path, methods, route.has("cost") ? route.integer("cost", 1, 1, 1_000_000) : 0));
    }
    return List.copyOf(routes);
  }

  private static Map<String, Integer> costs(ConfigReader p) {
    if (!p.has("cost")) {
      return Map.of();
    }
    if (!(p.raw().getValue("cost") instanceof JsonObject)) {
      throw new ConfigException(p.key("cost") + ": must be an object like {\"GET /v1/feed\": 5}");
    }
    ConfigReader costs = p.child("cost");
    Map<String, Integer> out = new LinkedHashMap<>();
    for (String route : costs.raw().fieldNames()) {
      String key = p.key("cost") + "[\"" + route + "\"]";
      String[] parts = route.trim().split("\\s+");
      String path = parts[parts.length - 1];
      if (parts.length > 2 || (parts.length == 2 && !METHODS.contains(parts[0]))) {
        throw new ConfigException(key + ": must be \"METHOD /path\" or \"/path\" with METHOD one of " + sorted(METHODS));
      }
      String error = pathError(path);
      if (error != null) {
        throw new ConfigException(key + ": '" + path + "' " + error);
      }
      Object v = costs.raw().getValue(route);
      if (!(v instanceof Number n) || n.doubleValue() != Math.rint(n.doubleValue()) || n.longValue() < 1
          || n.longValue() > 1_000_000) {
        throw new ConfigException(key + ": must be an integer in 1..1000000, got " + v);
      }
      out.put(String.join(" ", parts), n.intValue());
    }
    return Map.copyOf(out);
  }

  private static String pathError(String path) {
    return RoutePattern.problem(path);
  }

  private static String sorted(Set<String> values) {
    return String.join(", ", values.stream().sorted().toList());
  }
}
