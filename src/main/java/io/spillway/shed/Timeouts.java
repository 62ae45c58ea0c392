package io.spillway.shed;

/**
 * Schedules the queue's timeout sweep. On Vert.x a timer set from an event loop fires there; tests drive a
 * fake one by hand so queue expiry needs no wall clock.
 */
@FunctionalInterface
interface Timeouts {
  /** Runs {@code task} once, after {@code delayMs}. */
  void schedule(long delayMs, Runnable task);
}
