package io.spillway.limit;

/** In-process twin of {@code sliding-window-counter.lua}. */
final class LocalSlidingCounter implements LocalCounter {
  private final Policy policy;
  private final long limit;
  private final long span;
  private long window = Long.MIN_VALUE;
  private long current;
  private long previous;

  LocalSlidingCounter(Policy policy, long limit, long span) {
    this.policy = policy;
    this.limit = limit;
    this.span = span;
  }

  @Override
  public Outcome decide(long now, int cost, boolean commit) {
    long index = Math.floorDiv(now, span);
    long elapsed = now - index * span;
    long cur = index == window ? current : 0;
    long prev = index == window ? previous : index - 1 == window ? current : 0;
    double used = prev * (double) (span - elapsed) / span + cur;
    boolean ok = used + cost <= limit + 1e-6;
    long reset = span - elapsed;
    if (ok && commit) {
      window = index;
      current = cur + cost;
      previous = prev;
      return Outcome.of(policy, limit, cost, true, LocalCounter.whole(limit - used - cost), reset, 0);
    }
    double retry = 0;
    if (!ok && cost <= limit) {
      long room = limit - cur - cost;
      retry = room >= 0 && prev > 0
          ? span * (1 - (double) room / prev) - elapsed
          : span - elapsed + Math.max(0, span * (1 - (double) (limit - cost) / cur));
      retry = Math.max(retry, 1);
    }
    return Outcome.of(policy, limit, cost, ok, LocalCounter.whole(limit - used), reset, retry);
  }

  @Override
  public boolean idle(long now) {
    return Math.floorDiv(now, span) > window + 1;
  }
}
