package io.spillway.redis;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * Keeps a dead Redis from costing every request a timeout: after {@code failureThreshold} consecutive
 * failures Redis is skipped for {@code openMs}; then exactly one request probes it (half-open) while the
 * others keep skipping. The probe's success closes the breaker, its failure opens it again. Lock-free:
 * every event loop of the process shares one breaker.
 */
public final class CircuitBreaker {
  public enum Permit {
    /** Closed: use Redis. */
    CALL,
    /** Half-open: this request alone tries Redis. */
    PROBE,
    /** Open: do not touch Redis. */
    SKIP
  }

  private final LongSupplier clockMillis;
  private final AtomicInteger failures = new AtomicInteger();
  private final AtomicLong openUntil = new AtomicLong(); // 0 while closed
  private final AtomicBoolean probing = new AtomicBoolean();
  private volatile int threshold;
  private volatile long openMs;

  public CircuitBreaker(LongSupplier clockMillis, int threshold, long openMs) {
    this.clockMillis = clockMillis;
    configure(threshold, openMs);
  }

  public void configure(int threshold, long openMs) {
    this.threshold = threshold;
    this.openMs = openMs;
  }

  public Permit permit() {
    long until = openUntil.get();
    if (until == 0) {
      return Permit.CALL;
    }
    if (clockMillis.getAsLong() < until) {
      return Permit.SKIP;
    }
    return probing.compareAndSet(false, true) ? Permit.PROBE : Permit.SKIP;
  }

  /** Redis answered. Returns true when this closed an open breaker. */
  public boolean success() {
    // Reads before writes: this runs on every request from every event loop; unconditional writes would
    // bounce the cache lines between cores for nothing.
    if (failures.get() != 0) {
      failures.set(0);
    }
    if (openUntil.get() == 0) {
      return false;
    }
    boolean wasOpen = openUntil.getAndSet(0) != 0;
    probing.set(false);
    return wasOpen;
  }

  /** Redis failed for a request that had {@code permit}. Returns true when this opened the breaker. */
  public boolean failure(Permit permit) {
    long now = clockMillis.getAsLong();
    if (permit == Permit.PROBE) {
      openUntil.set(now + openMs);
      probing.set(false);
      return false;
    }
    if (failures.incrementAndGet() >= threshold) {
      return openUntil.compareAndSet(0, now + openMs);
    }
    return false;
  }

  public boolean open() {
    return openUntil.get() != 0;
  }
}
