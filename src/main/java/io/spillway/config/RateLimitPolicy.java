package io.spillway.config;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.regex.Pattern;

/**
 * One rate-limit policy ({@code limits.policies[i]}, see docs/rate-limiting.md): one record per algorithm,
 * each with exactly the numbers its algorithm uses, and the parts every policy has in {@link Common}.
 */
public sealed interface RateLimitPolicy {
  long MAX_LIMIT = 1_000_000_000L;
  long MAX_WINDOW_SECONDS = 366L * 86_400;
  /** Every entry of a sliding-window log is a sorted-set member: its limit bounds the memory per subject. */
  long MAX_LOG_LIMIT = 100_000;
  int MAX_COST = 1_000_000;

  Common common();

  Algorithm algorithm();

  /** The most a subject may spend at once: the burst of a bucket or GCRA, the limit of a window or quota. */
  long capacity();

  default String name() {
    return common().name();
  }

  /** {@code limits.policies[].algorithm}; the config spelling is also the Lua script's name for it. */
  enum Algorithm implements ConfigChoice {
    TOKEN_BUCKET, GCRA, FIXED_WINDOW, SLIDING_WINDOW_LOG, SLIDING_WINDOW_COUNTER, QUOTA
  }

  /** {@code limits.policies[].period} of a quota: a UTC calendar day or month. */
  enum Period implements ConfigChoice { DAY, MONTH }

  /** {@code limits.policies[].onRedisFailure}: how the policy decides while Redis does not answer. */
  enum FailureMode implements ConfigChoice { OPEN, CLOSED, LOCAL }

  /** A part of {@code limits.policies[].key}: what one counter is per. */
  enum KeyKind implements ConfigChoice {
    IP("ip"),
    USER("user"),
    /** The user when authenticated, else the client address. */
    CLIENT("client"),
    API_KEY("apiKey"),
    ROUTE("route");

    private final String configName;

    KeyKind(String configName) {
      this.configName = configName;
    }

    @Override
    public String configName() {
      return configName;
    }
  }

  /**
   * What every policy has besides its algorithm's numbers.
   *
   * @param key            what one counter is per; a request missing a part is not subject to the policy
   * @param routes         the routes it applies to; empty: every route
   * @param costs          {@code "METHOD /path"} or {@code "/path"} to the units such a request takes
   * @param plans          only requests whose API key has one of these plans; empty: any request
   * @param shadow         evaluate, count and send headers, never reject
   * @param onRedisFailure what decides while Redis does not answer
   * @param lease          leased mode (see {@link Lease}); null: exact mode, every request decided in Redis
   */
  record Common(String name, List<KeyKind> key, List<Route> routes, Map<String, Integer> costs, List<String> plans,
                boolean shadow, FailureMode onRedisFailure, Lease lease) {
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9._-]{1,64}");

    public Common {
      if (name == null || !NAME.matcher(name).matches()) {
        throw new ConfigException("limits.policies[].name", "'" + name
            + "' must be 1-64 characters of A-Z a-z 0-9 . _ -");
      }
      if (key == null || key.isEmpty()) {
        throw new ConfigException("limits.policies[].key", "must name at least one of "
            + ConfigChoice.allowed(KeyKind.class));
      }
      key = List.copyOf(key);
      for (int i = 0; i < key.size(); i++) {
        if (key.indexOf(key.get(i)) != i) {
          throw new ConfigException("limits.policies[].key[" + i + "]", "'" + key.get(i).configName()
              + "' is listed twice");
        }
      }
      routes = List.copyOf(routes);
      for (Map.Entry<String, Integer> e : costs.entrySet()) {
        String at = "limits.policies[].cost[\"" + e.getKey() + "\"]";
        String[] parts = e.getKey().split(" ");
        if (parts.length > 2 || (parts.length == 2 && !HttpMethods.ALL.contains(parts[0]))) {
          throw new ConfigException(at, "must be \"METHOD /path\" or \"/path\" with METHOD one of "
              + HttpMethods.allowed());
        }
        String problem = RoutePattern.problem(parts[parts.length - 1]);
        if (problem != null) {
          throw new ConfigException(at, "'" + parts[parts.length - 1] + "' " + problem);
        }
        if (e.getValue() == null || e.getValue() < 1 || e.getValue() > MAX_COST) {
          throw new ConfigException(at, "must be an integer in 1.." + MAX_COST + ", got " + e.getValue());
        }
      }
      costs = Map.copyOf(new LinkedHashMap<>(costs));
      plans = List.copyOf(plans);
      Check.present("limits.policies[].onRedisFailure", onRedisFailure);
    }

    /** A policy that holds {@code capacity} at most may lease at most that much; some algorithms not at all. */
    void checkLease(Algorithm algorithm, long capacity) {
      if (lease == null) {
        return;
      }
      if (algorithm == Algorithm.SLIDING_WINDOW_LOG || algorithm == Algorithm.SLIDING_WINDOW_COUNTER) {
        throw new ConfigException("limits.policies[].leaseSize", "is not available for algorithm "
            + algorithm.configName() + " (a window that slides cannot be spent ahead); allowed for token-bucket, "
            + "gcra, fixed-window and quota");
      }
      if (lease.percent() == 0 && lease.size() > capacity) {
        throw new ConfigException("limits.policies[].leaseSize", lease.size() + " is more than the policy holds ("
            + capacity + ")");
      }
    }
  }

  /**
   * Leased mode: a node takes a lease of the policy's units from Redis in one call and spends them itself for
   * at most {@code ttlMs}, so most requests make no Redis trip. The lease is {@code size} units, or, when
   * {@code percent} is set ({@code "leaseSize": "10%"}), that share of what the policy holds (its burst or
   * limit), so it follows the policy when the policy's numbers change. Over any interval a leased policy admits
   * at most nodes x lease more than exact mode, and leaves at most nodes x lease unspent per lease period.
   *
   * @param size    units per lease (0 when {@code percent} is set)
   * @param percent the lease as a share of the policy's capacity, in percent (0 when {@code size} is set)
   */
  record Lease(int size, double percent, long ttlMs) {
    public Lease {
      if (percent == 0) {
        Check.range("limits.policies[].leaseSize", size, 1, 1_000_000);
      } else if (size != 0 || !(percent > 0 && percent <= 100)) {
        throw new ConfigException("limits.policies[].leaseSize", "a share must be more than 0% and at most 100%, got "
            + percent + "%");
      }
      Check.range("limits.policies[].leaseTtlMs", ttlMs, 10, 60_000);
    }

    /** {@code "N%"}: a share of the policy's capacity. */
    static Lease share(String key, String text, long ttlMs) {
      String t = text.trim();
      double percent;
      try {
        percent = t.endsWith("%") && t.length() <= 12 ? Double.parseDouble(t.substring(0, t.length() - 1)) : -1;
      } catch (NumberFormatException e) {
        percent = -1;
      }
      if (!(percent > 0 && percent <= 100)) {
        throw new ConfigException(key, "must be a number of units or a share such as \"10%\" (more than 0%, at most "
            + "100%), got \"" + (t.length() <= 20 ? t : t.substring(0, 20) + "...") + "\"");
      }
      return new Lease(0, percent, ttlMs);
    }

    /** Units per lease for a policy that holds {@code capacity}: a share is at least 1 unit. */
    public int units(long capacity) {
      if (percent == 0) {
        return size;
      }
      return (int) Math.max(1, Math.min(1_000_000, (long) Math.floor(capacity * percent / 100)));
    }
  }

  /**
   * A route a policy applies to: {@code path} is a route pattern, {@code methods} empty means any, {@code
   * cost} empty means the policy's {@code cost} map decides (else 1).
   */
  record Route(String path, List<String> methods, OptionalInt cost) {
    public Route {
      String problem = RoutePattern.problem(path);
      if (problem != null) {
        throw new ConfigException("limits.policies[].routes[].path", "'" + path + "' " + problem);
      }
      methods = List.copyOf(methods);
      for (int i = 0; i < methods.size(); i++) {
        if (!HttpMethods.ALL.contains(methods.get(i))) {
          throw new ConfigException("limits.policies[].routes[].methods[" + i + "]", "'" + methods.get(i)
              + "' is not allowed; allowed values: " + HttpMethods.allowed());
        }
      }
      if (cost.isPresent()) {
        Check.range("limits.policies[].routes[].cost", cost.getAsInt(), 1, MAX_COST);
      }
    }
  }

  /** AWS API Gateway semantics: a bucket of {@code burst} tokens, refilled at {@code rate} per second. */
  record TokenBucket(Common common, double rate, long burst) implements RateLimitPolicy {
    public TokenBucket {
      Check.present("limits.policies[]", common);
      Check.range("limits.policies[].rate", rate, 0.0, MAX_LIMIT);
      if (rate <= 0) {
        throw new ConfigException("limits.policies[].rate", "must be greater than 0, got " + rate);
      }
      Check.range("limits.policies[].burst", burst, 1, MAX_LIMIT);
      common.checkLease(Algorithm.TOKEN_BUCKET, burst);
    }

    @Override
    public Algorithm algorithm() {
      return Algorithm.TOKEN_BUCKET;
    }

    @Override
    public long capacity() {
      return burst;
    }
  }

  /** The generic cell rate algorithm: {@code limit} per {@code windowSeconds}, evenly spaced, {@code burst} at once. */
  record Gcra(Common common, long limit, long windowSeconds, long burst) implements RateLimitPolicy {
    public Gcra {
      Check.present("limits.policies[]", common);
      Check.range("limits.policies[].limit", limit, 1, MAX_LIMIT);
      Check.range("limits.policies[].windowSeconds", windowSeconds, 1, MAX_WINDOW_SECONDS);
      Check.range("limits.policies[].burst", burst, 1, MAX_LIMIT);
      common.checkLease(Algorithm.GCRA, burst);
    }

    @Override
    public Algorithm algorithm() {
      return Algorithm.GCRA;
    }

    @Override
    public long capacity() {
      return burst;
    }
  }

  /** At most {@code limit} per epoch-aligned window of {@code windowSeconds}. */
  record FixedWindow(Common common, long limit, long windowSeconds) implements RateLimitPolicy {
    public FixedWindow {
      Check.present("limits.policies[]", common);
      Check.range("limits.policies[].limit", limit, 1, MAX_LIMIT);
      Check.range("limits.policies[].windowSeconds", windowSeconds, 1, MAX_WINDOW_SECONDS);
      common.checkLease(Algorithm.FIXED_WINDOW, limit);
    }

    @Override
    public Algorithm algorithm() {
      return Algorithm.FIXED_WINDOW;
    }

    @Override
    public long capacity() {
      return limit;
    }
  }

  /** Exactly at most {@code limit} in any {@code windowSeconds}; one stored entry per admitted unit. */
  record SlidingWindowLog(Common common, long limit, long windowSeconds) implements RateLimitPolicy {
    public SlidingWindowLog {
      Check.present("limits.policies[]", common);
      Check.range("limits.policies[].limit", limit, 1, MAX_LOG_LIMIT);
      Check.range("limits.policies[].windowSeconds", windowSeconds, 1, MAX_WINDOW_SECONDS);
      common.checkLease(Algorithm.SLIDING_WINDOW_LOG, limit);
    }

    @Override
    public Algorithm algorithm() {
      return Algorithm.SLIDING_WINDOW_LOG;
    }

    @Override
    public long capacity() {
      return limit;
    }
  }

  /** About {@code limit} per sliding {@code windowSeconds}: this window's count plus the last one's, weighted. */
  record SlidingWindowCounter(Common common, long limit, long windowSeconds) implements RateLimitPolicy {
    public SlidingWindowCounter {
      Check.present("limits.policies[]", common);
      Check.range("limits.policies[].limit", limit, 1, MAX_LIMIT);
      Check.range("limits.policies[].windowSeconds", windowSeconds, 1, MAX_WINDOW_SECONDS);
      common.checkLease(Algorithm.SLIDING_WINDOW_COUNTER, limit);
    }

    @Override
    public Algorithm algorithm() {
      return Algorithm.SLIDING_WINDOW_COUNTER;
    }

    @Override
    public long capacity() {
      return limit;
    }
  }

  /** {@code limit} per UTC calendar {@code period}. */
  record Quota(Common common, long limit, Period period) implements RateLimitPolicy {
    public Quota {
      Check.present("limits.policies[]", common);
      Check.range("limits.policies[].limit", limit, 1, MAX_LIMIT);
      Check.present("limits.policies[].period", period);
      common.checkLease(Algorithm.QUOTA, limit);
    }

    @Override
    public Algorithm algorithm() {
      return Algorithm.QUOTA;
    }

    @Override
    public long capacity() {
      return limit;
    }
  }
}
