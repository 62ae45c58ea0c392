package io.spillway.limit;

/** In-process twin of {@code fixed-window.lua}. */
final class LocalFixedWindow implements LocalCounter {
  private final Policy policy;
  private final long limit;
  private final long span;
  private long window = Long.MIN_VALUE;
  private long count;

  LocalFixedWindow(Policy policy, long limit, long span) {
    this.policy = policy;
    this.limit = limit;
    this.span = span;
  }

  @Override
  public Outcome decide(long now, int cost, boolean commit) {
    long index = Math.floorDiv(now, span);
    long used = index == window ? count : 0;
    long reset = (index + 1) * span - now;
    boolean ok = used + cost <= limit;
    if (ok && commit) {
      window = index;
      count = used + cost;
      return Outcome.of(policy, limit, cost, true, limit - count, reset, 0);
    }
    return Outcome.of(policy, limit, cost, ok, Math.max(0, limit - used), reset, reset);
  }

  @Override
  public boolean idle(long now) {
    return Math.floorDiv(now, span) != window;
  }
}
