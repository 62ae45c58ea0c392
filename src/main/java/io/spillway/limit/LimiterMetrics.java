package io.spillway.limit;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BooleanSupplier;

/**
 * The limiter's meters; a no-op without a registry. Prometheus names: {@code
 * spillway_ratelimit_decisions_total{policy,result}}, {@code spillway_ratelimit_redis_failures_total},
 * {@code spillway_ratelimit_fallback_active}. Labels are bounded: policy names come from config, results
 * from the fixed set below.
 */
final class LimiterMetrics {
  static final String ADMITTED = "admitted";
  static final String REJECTED = "rejected";
  static final String SHADOW_REJECTED = "shadow_rejected";
  static final String UNAVAILABLE = "unavailable";
  private static final List<String> RESULTS = List.of(ADMITTED, REJECTED, SHADOW_REJECTED, UNAVAILABLE);

  private final MeterRegistry registry;
  /** Per policy name, one counter per result, in the order of {@link #RESULTS}; found without building a key. */
  private final Map<String, Counter[]> decisions = new ConcurrentHashMap<>();
  private final Map<String, Counter[]> leases = new ConcurrentHashMap<>();
  private final Map<String, Counter> refunds = new ConcurrentHashMap<>();
  private final Counter redisFailures;

  LimiterMetrics(MeterRegistry registry, BooleanSupplier fallbackActive) {
    this.registry = registry;
    if (registry == null) {
      redisFailures = null;
      return;
    }
    redisFailures = Counter.builder("spillway.ratelimit.redis.failures")
        .description("Rate-limit evaluations that failed or timed out in Redis")
        .register(registry);
    Gauge.builder("spillway.ratelimit.fallback.active", fallbackActive, f -> f.getAsBoolean() ? 1 : 0)
        .description("1 while Redis is skipped (circuit breaker open) and limits are decided locally")
        .strongReference(true)
        .register(registry);
  }

  void decided(String policy, String result) {
    if (registry == null) {
      return;
    }
    Counter[] byResult = decisions.get(policy);
    if (byResult == null) {
      byResult = decisions.computeIfAbsent(policy, k -> new Counter[RESULTS.size()]);
    }
    int i = RESULTS.indexOf(result);
    Counter counter = byResult[i];
    if (counter == null) {
      // Registering twice is harmless: the registry hands back the same counter.
      counter = Counter.builder("spillway.ratelimit.decisions")
          .description("Rate-limit decisions by policy and result")
          .tag("policy", policy)
          .tag("result", result)
          .register(registry);
      byResult[i] = counter;
    }
    counter.increment();
  }

  /** Units of dropped leases given back to {@code policy} in Redis. */
  void refunded(String policy, long units) {
    if (registry == null) {
      return;
    }
    refunds.computeIfAbsent(policy, k -> Counter.builder("spillway.ratelimit.lease.refunds")
        .description("Units of leases a node dropped unspent and gave back to the policy in Redis")
        .tag("policy", policy)
        .register(registry)).increment(units);
  }

  /** A lease fetch for {@code policy} that granted {@code units} (0: the policy had nothing left). */
  void leased(String policy, long units) {
    if (registry == null) {
      return;
    }
    Counter[] byResult = leases.get(policy);
    if (byResult == null) {
      byResult = leases.computeIfAbsent(policy, k -> new Counter[] {leaseCounter(k, "granted"), leaseCounter(k, "empty")});
    }
    byResult[units > 0 ? 0 : 1].increment();
  }

  private Counter leaseCounter(String policy, String result) {
    return Counter.builder("spillway.ratelimit.leases")
        .description("Lease fetches of leased-mode policies: granted units, or empty (the policy had none left)")
        .tag("policy", policy)
        .tag("result", result)
        .register(registry);
  }

  void redisFailure() {
    if (redisFailures != null) {
      redisFailures.increment();
    }
  }
}
