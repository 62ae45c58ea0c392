package io.spillway.shed;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * One log line when shedding starts and one when it stops, at most one line per {@link #MIN_GAP_NANOS}: under
 * overload a line per rejection would add to the overload and bury everything else in the log. A state change
 * that falls inside the gap is written once the gap has passed, if it still holds.
 */
final class SheddingLog {
  static final long MIN_GAP_NANOS = TimeUnit.SECONDS.toNanos(10);
  /** Shedding counts as stopped after this long without a rejection. */
  static final long QUIET_NANOS = TimeUnit.SECONDS.toNanos(1);

  private final Consumer<String> starting;
  private final Consumer<String> stopping;
  private final Supplier<String> nodeState;
  private final BooleanSupplier busy;
  private final LongAdder rejected = new LongAdder();
  private volatile long lastRejectionAt;
  private volatile boolean anyRejection;
  private volatile boolean loggedShedding;
  private boolean loggedOnce;
  private long lastLineAt;

  /**
   * {@code busy}: whether the node is still under pressure (requests queued, event loops lagging): shedding
   * is not reported stopped while it is, even when no request was refused for a while.
   */
  SheddingLog(Consumer<String> starting, Consumer<String> stopping, Supplier<String> nodeState, BooleanSupplier busy) {
    this.starting = starting;
    this.stopping = stopping;
    this.nodeState = nodeState;
    this.busy = busy;
  }

  void rejected(long now) {
    rejected.increment();
    lastRejectionAt = now;
    anyRejection = true;
    if (!loggedShedding) {
      check(now);
    }
  }

  /** Called now and then (lag probe, releases) so the stop is noticed without a rejection to trigger it. */
  void check(long now) {
    if (shedding(now) == loggedShedding) {
      return;
    }
    synchronized (this) {
      boolean shedding = shedding(now);
      if (shedding == loggedShedding || (loggedOnce && now - lastLineAt < MIN_GAP_NANOS)) {
        return;
      }
      loggedShedding = shedding;
      loggedOnce = true;
      lastLineAt = now;
      long count = rejected.sumThenReset();
      if (shedding) {
        starting.accept("load shedding started: " + nodeState.get() + ", " + count + " rejected so far");
      } else {
        stopping.accept("load shedding stopped: " + nodeState.get() + ", " + count + " rejected since the last line");
      }
    }
  }

  /** Shedding starts with a refusal, and stops after a quiet second once nothing is queued or lagging. */
  boolean shedding(long now) {
    boolean recent = anyRejection && now - lastRejectionAt < QUIET_NANOS;
    return recent || loggedShedding && busy.getAsBoolean();
  }
}
