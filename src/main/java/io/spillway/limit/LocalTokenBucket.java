package io.spillway.limit;

/** In-process twin of {@code token-bucket.lua}. */
final class LocalTokenBucket implements LocalCounter {
  private final Policy policy;
  private final double rate; // tokens per microsecond
  private final long burst;
  private double tokens;
  private long updated = Long.MIN_VALUE;

  LocalTokenBucket(Policy policy, double ratePerSecond, long burst) {
    this.policy = policy;
    this.rate = ratePerSecond / 1e6;
    this.burst = burst;
  }

  @Override
  public Outcome decide(long now, int cost, boolean commit) {
    double current = updated == Long.MIN_VALUE ? burst : Math.min(burst, tokens + Math.max(0, now - updated) * rate);
    boolean ok = current + 1e-6 >= cost;
    if (ok && commit && cost <= burst) {
      tokens = Math.max(0, current - cost);
      updated = now;
      return Outcome.of(policy, burst, cost, true, LocalCounter.whole(tokens), (burst - tokens) / rate, 0);
    }
    return Outcome.of(policy, burst, cost, ok, LocalCounter.whole(current), (burst - current) / rate,
        (cost - current) / rate);
  }

  @Override
  public void seed(long at, long remaining, int nodes) {
    tokens = Math.min(burst, Math.max(0, (double) remaining / nodes));
    updated = at;
  }

  @Override
  public boolean idle(long now) {
    return updated == Long.MIN_VALUE || tokens + (now - updated) * rate >= burst;
  }
}
