package io.spillway.limit;

/** In-process twin of {@code gcra.lua}. */
final class LocalGcra implements LocalCounter {
  private final Policy policy;
  private final double interval; // microseconds per request
  private final long burst;
  private double tat;

  LocalGcra(Policy policy, double interval, long burst) {
    this.policy = policy;
    this.interval = interval;
    this.burst = burst;
  }

  @Override
  public Outcome decide(long now, int cost, boolean commit) {
    double tolerance = interval * burst;
    double from = Math.max(tat, now);
    double next = from + cost * interval;
    double allowAt = next - tolerance;
    boolean ok = allowAt <= now + 1;
    if (ok && commit && cost <= burst) {
      tat = next;
      return Outcome.of(policy, burst, cost, true, LocalCounter.whole((tolerance - (next - now)) / interval),
          next - now, 0);
    }
    return Outcome.of(policy, burst, cost, ok, LocalCounter.whole((tolerance - (from - now)) / interval),
        from - now, allowAt - now);
  }

  @Override
  public boolean idle(long now) {
    return tat <= now;
  }
}
