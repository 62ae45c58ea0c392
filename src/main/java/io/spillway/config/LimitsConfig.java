package io.spillway.config;

import io.spillway.config.RateLimitPolicy.Algorithm;
import io.spillway.config.RateLimitPolicy.Common;
import io.spillway.config.RateLimitPolicy.FailureMode;
import io.spillway.config.RateLimitPolicy.KeyKind;
import io.spillway.config.RateLimitPolicy.Period;
import io.spillway.config.RateLimitPolicy.Route;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;

/**
 * Rate limiting: the policies every request is checked against, and how the limiter behaves when Redis fails.
 * Every key, its default and what it allows: docs/rate-limiting.md.
 *
 * @param expectedNodes  a node deciding locally (Redis down) allows limit / nodes
 * @param legacyHeaders  also send X-RateLimit-Limit / -Remaining / -Reset
 * @param trustedProxies peers whose X-Forwarded-For is believed (addresses or CIDR ranges)
 * @param redisTimeoutMs a Redis evaluation slower than this counts as a failure
 * @param keyPrefix      prefix of every Redis key
 * @param cluster        Redis is a Cluster: evaluate per hash slot
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
    List<RateLimitPolicy> policies) {

  public LimitsConfig {
    Check.range("limits.expectedNodes", expectedNodes, 1, 10_000);
    trustedProxies = List.copyOf(trustedProxies);
    for (int i = 0; i < trustedProxies.size(); i++) {
      String error = Cidr.problem(trustedProxies.get(i));
      if (error != null) {
        throw new ConfigException("limits.trustedProxies[" + i + "]", "'" + trustedProxies.get(i) + "' " + error);
      }
      if (Cidr.parse(trustedProxies.get(i)).prefix() == 0) {
        // Every peer a proxy: any client could name any address in X-Forwarded-For and pick its own limits.
        throw new ConfigException("limits.trustedProxies[" + i + "]", "'" + trustedProxies.get(i)
            + "' trusts every address; name the proxies' addresses or ranges");
      }
    }
    Check.range("limits.redisTimeoutMs", redisTimeoutMs, 1, 60_000);
    if (keyPrefix == null || keyPrefix.isBlank() || keyPrefix.contains("{") || keyPrefix.contains("}")) {
      throw new ConfigException("limits.keyPrefix", "'" + keyPrefix + "' must be non-blank and without { }");
    }
    Check.present("limits.breaker", breaker);
    policies = List.copyOf(policies);
    Map<String, Integer> names = new HashMap<>();
    for (int i = 0; i < policies.size(); i++) {
      Integer previous = names.putIfAbsent(policies.get(i).name(), i);
      if (previous != null) {
        throw new ConfigException("limits.policies[" + i + "].name", "'" + policies.get(i).name()
            + "' is already used by limits.policies[" + previous + "].name");
      }
    }
  }

  /** Skip Redis after {@code failureThreshold} consecutive failures, for {@code openMs}, then probe once. */
  public record Breaker(int failureThreshold, long openMs) {
    public Breaker {
      Check.range("limits.breaker.failureThreshold", failureThreshold, 1, 1_000_000);
      Check.range("limits.breaker.openMs", openMs, 10, 3_600_000);
    }
  }

  public static LimitsConfig from(ConfigReader r) {
    ConfigReader breaker = r.child("breaker");
    return new LimitsConfig(
        r.bool("enabled"),
        r.integer("expectedNodes"),
        r.bool("legacyHeaders"),
        r.strings("trustedProxies"),
        r.number("redisTimeoutMs"),
        r.string("keyPrefix"),
        r.bool("cluster"),
        new Breaker(breaker.integer("failureThreshold"), breaker.number("openMs")),
        r.list("policies", LimitsConfig::policy));
  }

  private static RateLimitPolicy policy(ConfigReader p) {
    String name = p.requiredString("name");
    if (!p.has("algorithm")) {
      throw new ConfigException(p.key("algorithm"), "is required; allowed values: "
          + ConfigChoice.allowed(Algorithm.class));
    }
    Algorithm algorithm = p.choice("algorithm", Algorithm.class);
    Common common = new Common(name, keyKinds(p), p.list("routes", LimitsConfig::route), costs(p),
        p.strings("plans"), p.bool("shadow"), p.choice("onRedisFailure", FailureMode.class), lease(p));
    return switch (algorithm) {
      case TOKEN_BUCKET -> {
        unused(p, algorithm, "limit", "windowSeconds", "period");
        yield new RateLimitPolicy.TokenBucket(common, requiredDecimal(p, "rate", algorithm),
            requiredNumber(p, "burst", algorithm));
      }
      case GCRA -> {
        unused(p, algorithm, "rate", "period");
        long limit = requiredNumber(p, "limit", algorithm);
        // Derived default: a GCRA policy without a burst allows its whole limit at once.
        long burst = p.has("burst") ? p.number("burst") : limit;
        yield new RateLimitPolicy.Gcra(common, limit, requiredNumber(p, "windowSeconds", algorithm), burst);
      }
      case QUOTA -> {
        unused(p, algorithm, "rate", "burst", "windowSeconds");
        long limit = requiredNumber(p, "limit", algorithm);
        if (!p.has("period")) {
          throw new ConfigException(p.key("period"), "is required for algorithm quota; allowed values: "
              + ConfigChoice.allowed(Period.class));
        }
        yield new RateLimitPolicy.Quota(common, limit, p.choice("period", Period.class));
      }
      case FIXED_WINDOW -> {
        unused(p, algorithm, "rate", "burst", "period");
        yield new RateLimitPolicy.FixedWindow(common, requiredNumber(p, "limit", algorithm),
            requiredNumber(p, "windowSeconds", algorithm));
      }
      case SLIDING_WINDOW_LOG -> {
        unused(p, algorithm, "rate", "burst", "period");
        yield new RateLimitPolicy.SlidingWindowLog(common, requiredNumber(p, "limit", algorithm),
            requiredNumber(p, "windowSeconds", algorithm));
      }
      case SLIDING_WINDOW_COUNTER -> {
        unused(p, algorithm, "rate", "burst", "period");
        yield new RateLimitPolicy.SlidingWindowCounter(common, requiredNumber(p, "limit", algorithm),
            requiredNumber(p, "windowSeconds", algorithm));
      }
    };
  }

  /**
   * {@code leaseSize} (null: exact mode): units, or a share of what the policy holds ({@code "10%"}); and
   * {@code leaseTtlMs}.
   */
  private static RateLimitPolicy.Lease lease(ConfigReader p) {
    if (!p.has("leaseSize")) {
      return null;
    }
    if (p.raw().getValue("leaseSize") instanceof String share) {
      return RateLimitPolicy.Lease.share(p.key("leaseSize"), share, p.number("leaseTtlMs"));
    }
    return new RateLimitPolicy.Lease(p.integer("leaseSize"), 0, p.number("leaseTtlMs"));
  }

  private static long requiredNumber(ConfigReader p, String name, Algorithm algorithm) {
    if (!p.has(name)) {
      throw new ConfigException(p.key(name), "is required for algorithm " + algorithm.configName()
          + " (an integer > 0)");
    }
    return p.number(name);
  }

  private static double requiredDecimal(ConfigReader p, String name, Algorithm algorithm) {
    if (!p.has(name)) {
      throw new ConfigException(p.key(name), "is required for algorithm " + algorithm.configName()
          + " (a number > 0)");
    }
    return p.decimal(name);
  }

  /** A number the algorithm ignores is almost always a mistake (a fixed window given a "rate"): say so. */
  private static void unused(ConfigReader p, Algorithm algorithm, String... names) {
    for (String name : names) {
      if (p.has(name)) {
        throw new ConfigException(p.key(name), "is not used by algorithm " + algorithm.configName());
      }
    }
  }

  private static List<KeyKind> keyKinds(ConfigReader p) {
    List<String> names = p.strings("key");
    List<KeyKind> kinds = new ArrayList<>(names.size());
    for (int i = 0; i < names.size(); i++) {
      kinds.add(ConfigChoice.parse(KeyKind.class, p.key("key") + "[" + i + "]", names.get(i)));
    }
    return kinds;
  }

  private static Route route(ConfigReader route) {
    Integer cost = route.optionalInteger("cost");
    return new Route(route.requiredString("path"), route.strings("methods"),
        cost == null ? OptionalInt.empty() : OptionalInt.of(cost));
  }

  /** {@code "GET  /v1/feed"} and {@code "GET /v1/feed"} are one rule: the key is normalised to single spaces. */
  private static Map<String, Integer> costs(ConfigReader p) {
    if (!(p.raw().getValue("cost") instanceof JsonObject costs)) {
      throw new ConfigException(p.key("cost"), "must be an object like {\"GET /v1/feed\": 5}");
    }
    Map<String, Integer> out = new LinkedHashMap<>();
    for (String route : costs.fieldNames()) {
      Object v = costs.getValue(route);
      String key = String.join(" ", route.trim().split("\\s+"));
      if (!(v instanceof Number n) || n.doubleValue() != Math.rint(n.doubleValue())
          || Math.abs(n.doubleValue()) > Integer.MAX_VALUE) {
        throw new ConfigException(p.key("cost") + "[\"" + route + "\"]", "must be an integer in 1.."
            + RateLimitPolicy.MAX_COST + ", got " + v);
      }
      out.put(key, n.intValue());
    }
    return out;
  }
}
