package io.spillway.limit;

import io.spillway.config.RateLimitPolicy.Period;

import java.time.LocalDate;

/** UTC calendar periods of a quota, in epoch seconds; {@code quota.lua} computes the same bounds from Redis TIME. */
final class QuotaPeriod {
  private static final long DAY = 86_400;

  private QuotaPeriod() {}

  static long start(long epochSecond, Period period) {
    long day = Math.floorDiv(epochSecond, DAY);
    if (period == Period.DAY) {
      return day * DAY;
    }
    return LocalDate.ofEpochDay(day).withDayOfMonth(1).toEpochDay() * DAY;
  }

  /** The first second of the next period: when the quota resets. */
  static long end(long epochSecond, Period period) {
    long day = Math.floorDiv(epochSecond, DAY);
    if (period == Period.DAY) {
      return (day + 1) * DAY;
    }
    return LocalDate.ofEpochDay(day).withDayOfMonth(1).plusMonths(1).toEpochDay() * DAY;
  }
}
