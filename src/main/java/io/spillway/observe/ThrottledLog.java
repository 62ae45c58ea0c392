package io.spillway.observe;

import io.vertx.core.Handler;
import org.slf4j.Logger;

import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * At most one log line per key and period: a dead shard fails thousands of requests a second, and a broker
 * that went away fails every consumer poll; a line for each would bury everything else (and cost more than the
 * failure). The first failure of a period is
 * logged; the others are counted and the count goes out with the next line.
 */
public final class ThrottledLog {
  private final long periodMs;
  private final LongSupplier clockMillis;
  private final ConcurrentHashMap<String, long[]> windows = new ConcurrentHashMap<>();

  public ThrottledLog(long periodMs, LongSupplier clockMillis) {
    this.periodMs = periodMs;
    this.clockMillis = clockMillis;
  }

  /**
   * -1 when this occurrence of {@code key} is not to be logged; otherwise how many were left out since the
   * last line (0 for the first).
   */
  public long admit(String key) {
    long now = clockMillis.getAsLong();
    long[] w = windows.computeIfAbsent(key, k -> new long[] {Long.MIN_VALUE, 0});
    synchronized (w) {
      if (w[0] != Long.MIN_VALUE && now - w[0] < periodMs) {
        w[1]++;
        return -1;
      }
      long suppressed = w[1];
      w[0] = now;
      w[1] = 0;
      return suppressed;
    }
  }

  /**
   * A handler that warns {@code "<what>: <error>"} on {@code log} at most once per period, the next line
   * carrying the count of those left out (a Kafka consumer's exception handler, which a broker that went away
   * calls on every poll).
   */
  public Handler<Throwable> warnings(Logger log, String what) {
    return err -> {
      long suppressed = admit(what);
      if (suppressed >= 0) {
        log.warn("{}: {}{}", what, String.valueOf(err), suffix(suppressed));
      }
    };
  }

  public static String suffix(long suppressed) {
    return suppressed > 0 ? " (" + suppressed + " more like this since the last line)" : "";
  }
}
