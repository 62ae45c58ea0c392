package io.spillway.shed;

import io.vertx.core.Vertx;

import java.util.concurrent.TimeUnit;
import java.util.function.LongConsumer;
import java.util.function.LongSupplier;

/**
 * Measures how late one event loop runs its timers. A timer due in {@code interval} that fires {@code d} later
 * means every task on that loop waited about {@code d}: the loop is saturated or was blocked. Latency samples
 * only show this once requests finish; timer drift shows it while it happens, even on routes with no traffic.
 */
final class EventLoopLag {
  private final long intervalMs;
  private final LongSupplier clock;
  private final LongConsumer onMeasured;
  private volatile long lagNanos;
  private volatile long measuredAt;
  private volatile boolean stopped;

  EventLoopLag(long intervalMs, LongSupplier clock, LongConsumer onMeasured) {
    this.intervalMs = intervalMs;
    this.clock = clock;
    this.onMeasured = onMeasured;
    this.measuredAt = clock.getAsLong();
  }

  /**
   * Starts the timer chain. Call it on the event loop to watch: a Vert.x timer fires on the context that set
   * it, and one set from a verticle is cancelled with it when the verticle is undeployed.
   */
  void start(Vertx vertx) {
    long expected = clock.getAsLong() + TimeUnit.MILLISECONDS.toNanos(intervalMs);
    vertx.setTimer(intervalMs, id -> {
      if (stopped) {
        return;
      }
      long now = clock.getAsLong();
      measured(Math.max(0, now - expected), now);
      start(vertx);
    });
  }

  void measured(long lag, long now) {
    lagNanos = lag;
    measuredAt = now;
    onMeasured.accept(now);
  }

  void stop() {
    stopped = true;
  }

  long lagNanos() {
    return lagNanos;
  }

  long measuredAt() {
    return measuredAt;
  }
}
