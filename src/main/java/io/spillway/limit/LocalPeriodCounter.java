package io.spillway.limit;

import io.spillway.config.RateLimitPolicy.Period;

import java.util.function.LongUnaryOperator;

/**
 * In-process twin of {@code period_counter} in {@code prelude.lua}: a count that starts again at every
 * period. A fixed window and a calendar quota differ only in how they cut time into periods.
 */
final class LocalPeriodCounter implements LocalCounter {
  private final Policy policy;
  private final long limit;
  private final LongUnaryOperator periodOf;
  private final LongUnaryOperator endOf;
  private long period = Long.MIN_VALUE;
  private long count;

  /** {@code periodOf} names the period of a time, {@code endOf} gives the end of the period (microseconds). */
  private LocalPeriodCounter(Policy policy, long limit, LongUnaryOperator periodOf, LongUnaryOperator endOf) {
    this.policy = policy;
    this.limit = limit;
    this.periodOf = periodOf;
    this.endOf = endOf;
  }

  /** Windows of {@code span} microseconds aligned to the epoch ({@code fixed-window.lua}). */
  static LocalPeriodCounter fixedWindow(Policy policy, long limit, long span) {
    return new LocalPeriodCounter(policy, limit, now -> Math.floorDiv(now, span),
        now -> (Math.floorDiv(now, span) + 1) * span);
  }

  /** UTC calendar days or months ({@code quota.lua}). */
  static LocalPeriodCounter quota(Policy policy, long limit, Period period) {
    return new LocalPeriodCounter(policy, limit,
        now -> QuotaPeriod.start(Math.floorDiv(now, 1_000_000), period),
        now -> QuotaPeriod.end(Math.floorDiv(now, 1_000_000), period) * 1_000_000);
  }

  @Override
  public Outcome decide(long now, int cost, boolean commit) {
    long current = periodOf.applyAsLong(now);
    long used = current == period ? count : 0;
    long reset = endOf.applyAsLong(now) - now;
    boolean ok = used + cost <= limit;
    if (ok && commit) {
      period = current;
      count = used + cost;
      return Outcome.of(policy, limit, cost, true, limit - count, reset, 0);
    }
    return Outcome.of(policy, limit, cost, ok, Math.max(0, limit - used), reset, reset);
  }

  @Override
  public boolean idle(long now) {
    return periodOf.applyAsLong(now) != period;
  }
}
