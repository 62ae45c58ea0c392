package io.spillway.limit;

/** In-process twin of {@code quota.lua}. */
final class LocalQuota implements LocalCounter {
  private final Policy policy;
  private final long limit;
  private long periodStart = Long.MIN_VALUE;
  private long count;

  LocalQuota(Policy policy, long limit) {
    this.policy = policy;
    this.limit = limit;
  }

  @Override
  public Outcome decide(long now, int cost, boolean commit) {
    long second = Math.floorDiv(now, 1_000_000);
    long start = QuotaPeriod.start(second, policy.period);
    long reset = QuotaPeriod.end(second, policy.period) * 1_000_000 - now;
    long used = start == periodStart ? count : 0;
    boolean ok = used + cost <= limit;
    if (ok && commit) {
      periodStart = start;
      count = used + cost;
      return Outcome.of(policy, limit, cost, true, limit - count, reset, 0);
    }
    return Outcome.of(policy, limit, cost, ok, Math.max(0, limit - used), reset, reset);
  }

  @Override
  public boolean idle(long now) {
    return QuotaPeriod.start(Math.floorDiv(now, 1_000_000), policy.period) != periodStart;
  }
}
