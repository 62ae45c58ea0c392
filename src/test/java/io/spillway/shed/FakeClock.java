package io.spillway.shed;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/** A clock the test moves by hand, with the queue timers that fire when it passes their deadline. */
final class FakeClock implements LongSupplier, Timeouts {
  private long now = TimeUnit.SECONDS.toNanos(1_000);
  private final List<Task> tasks = new ArrayList<>();

  private static final class Task {
    final long at;
    final Runnable run;

    Task(long at, Runnable run) {
      this.at = at;
      this.run = run;
    }
  }

  @Override
  public synchronized long getAsLong() {
    return now;
  }

  @Override
  public synchronized void schedule(long delayMs, Runnable task) {
    tasks.add(new Task(now + TimeUnit.MILLISECONDS.toNanos(delayMs), task));
  }

  /** Moves time on and runs, in deadline order, every timer that is now due (also those the due ones set). */
  void advanceMillis(long ms) {
    synchronized (this) {
      now += TimeUnit.MILLISECONDS.toNanos(ms);
    }
    for (;;) {
      Task next;
      synchronized (this) {
        next = tasks.stream().filter(t -> t.at <= now).min(Comparator.comparingLong(t -> t.at)).orElse(null);
        if (next == null) {
          return;
        }
        tasks.remove(next);
      }
      next.run.run();
    }
  }

  synchronized int pendingTimers() {
    return tasks.size();
  }
}
