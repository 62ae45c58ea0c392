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
    boolean cancelled;

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
  public synchronized Runnable schedule(long delayMs, Runnable task) {
    Task t = new Task(now + TimeUnit.MILLISECONDS.toNanos(delayMs), task);
    tasks.add(t);
    return () -> {
      synchronized (FakeClock.this) {
        t.cancelled = true;
      }
    };
  }

  /** Moves time on and runs, in deadline order, every timer that is now due. */
  void advanceMillis(long ms) {
    List<Task> due;
    synchronized (this) {
      now += TimeUnit.MILLISECONDS.toNanos(ms);
      due = tasks.stream().filter(t -> t.at <= now && !t.cancelled).sorted(Comparator.comparingLong(t -> t.at)).toList();
      tasks.removeAll(due);
    }
    due.forEach(t -> t.run.run());
  }

  synchronized int pendingTimers() {
    return (int) tasks.stream().filter(t -> !t.cancelled).count();
  }
}
