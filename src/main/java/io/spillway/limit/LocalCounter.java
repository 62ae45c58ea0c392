package io.spillway.limit;

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

  static LocalCounter create(Policy p, int nodes) {
    return switch (p.algorithm) {
      case TOKEN_BUCKET -> new LocalTokenBucket(p, p.rate / nodes, share(p.burst, nodes));
      case GCRA -> new LocalGcra(p, p.windowSeconds * 1_000_000.0 * nodes / p.limit, share(p.burst, nodes));
      case FIXED_WINDOW -> LocalPeriodCounter.fixedWindow(p, share(p.limit, nodes), p.windowSeconds * 1_000_000);
      case SLIDING_WINDOW_LOG -> new LocalSlidingLog(p, share(p.limit, nodes), p.windowSeconds * 1_000_000);
      case SLIDING_WINDOW_COUNTER -> new LocalSlidingCounter(p, share(p.limit, nodes), p.windowSeconds * 1_000_000);
      case QUOTA -> LocalPeriodCounter.quota(p, share(p.limit, nodes));
    };
  }

  /** This node's share, rounded up: a small limit over many nodes still lets each node serve someone. */
  static long share(long limit, int nodes) {
    return Math.max(1, (limit + nodes - 1) / nodes);
  }

  static long whole(double n) {
    return Math.max(0, (long) Math.floor(n + 1e-6));
  }
}
