package io.spillway.web;

/**
 * A cached value with the moment it is due for a reload ahead of its expiry. The first reader that sees it due
 * claims the reload and starts it in the background; every reader meanwhile is answered from the value, and
 * the reload's answer replaces the holder with a new one. A value nobody reads near its end is never
 * claimed and expires with its cache entry.
 *
 * <p>The claim is a plain volatile flag, no compare-and-set: two readers racing here may both claim it, and
 * callers send reloads through one flight per key ({@code redis.SingleFlight}), so they share one load.
 *
 * @param <V> the cached value
 */
public final class RefreshAhead<V> {
  private final V value;
  private final long dueAtNanos;
  private volatile boolean claimed;

  private RefreshAhead(V value, long dueAtNanos) {
    this.value = value;
    this.dueAtNanos = dueAtNanos;
  }

  /** {@code value}, filled at {@code nowNanos}, due {@code afterNanos} later ({@code Long.MAX_VALUE}: never). */
  public static <V> RefreshAhead<V> of(V value, long nowNanos, long afterNanos) {
    return new RefreshAhead<>(value, afterNanos == Long.MAX_VALUE ? Long.MAX_VALUE : nowNanos + afterNanos);
  }

  public V value() {
    return value;
  }

  /** True for the reader that first sees the value due at {@code nowNanos}: it starts the reload. */
  public boolean claim(long nowNanos) {
    if (nowNanos < dueAtNanos || claimed) {
      return false;
    }
    claimed = true;
    return true;
  }
}
