package io.spillway.limit;

import io.spillway.config.RateLimitPolicy;

/**
 * One subject's state under one policy, kept in process while Redis is unreachable. Same arithmetic as the
 * Lua script, with the policy's limits divided by the number of nodes expected to share the load, so the
 * fleet as a whole stays near the global limit. Not thread-safe: {@link LocalLimiter} serialises access.
 */
interface LocalCounter {
  /** Decides {@code cost}; with {@code commit}, counts it when admitted. Times in microseconds. */
  Outcome decide(long now, int cost, boolean commit);

  /** True when the state is back to "never seen" and can be dropped. */
  boolean idle(long now);

  /**
   * Starts from Redis's last word on this subject ({@code remaining} of the global limit at {@code at}),
   * this node's share of it, instead of from a full allowance. Algorithms without a seed start afresh.
   */
  default void seed(long at, long remaining, int nodes) {
  }

  static LocalCounter create(Policy p, int nodes) {
    RateLimitPolicy c = p.config;
    if (c instanceof RateLimitPolicy.TokenBucket t) {
      return new LocalTokenBucket(p, t.rate() / nodes, share(t.burst(), nodes));
    }
    if (c instanceof RateLimitPolicy.Gcra g) {
      return new LocalGcra(p, g.windowSeconds() * 1_000_000.0 * nodes / g.limit(), share(g.burst(), nodes));
    }
    if (c instanceof RateLimitPolicy.FixedWindow f) {
      return LocalPeriodCounter.fixedWindow(p, share(f.limit(), nodes), f.windowSeconds() * 1_000_000);
    }
    if (c instanceof RateLimitPolicy.SlidingWindowLog l) {
      return new LocalSlidingLog(p, share(l.limit(), nodes), l.windowSeconds() * 1_000_000);
    }
    if (c instanceof RateLimitPolicy.SlidingWindowCounter s) {
      return new LocalSlidingCounter(p, share(s.limit(), nodes), s.windowSeconds() * 1_000_000);
    }
    if (c instanceof RateLimitPolicy.Quota q) {
      return LocalPeriodCounter.quota(p, share(q.limit(), nodes), q.period());
    }
    throw new IllegalStateException("no local twin for " + c.algorithm());
  }

  /** This node's share, rounded up: a small limit over many nodes still lets each node serve someone. */
  static long share(long limit, int nodes) {
    return Math.max(1, (limit + nodes - 1) / nodes);
  }

  static long whole(double n) {
    return Math.max(0, (long) Math.floor(n + 1e-6));
  }
}
