package io.spillway.shed;

/**
 * Schedules the queue timeouts. On Vert.x a timer set from the waiter's own event loop fires there; tests
 * drive a fake one by hand so queue expiry needs no wall clock.
 */
@FunctionalInterface
interface Timeouts {
  /** Runs {@code task} after {@code delayMs}; the returned action cancels it (harmless once it ran). */
  Runnable schedule(long delayMs, Runnable task);
}
