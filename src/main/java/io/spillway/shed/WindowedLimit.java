package io.spillway.shed;

/**
 * Moves an {@link AdaptiveLimit} once per time window, not per request (as Netflix's concurrency-limits
 * does): one slow request says little, a window's average says how the node is doing. Samples are gathered
 * until a sample arrives {@code lengthNanos} after the window opened; that sample closes the window, and the
 * next window opens at it. A window that closes with fewer than {@link #MIN_SAMPLES} samples is dropped
 * rather than trusted.
 */
final class WindowedLimit implements ConcurrencyLimit {
  static final int MIN_SAMPLES = 10;

  private final AdaptiveLimit algorithm;
  private final long lengthNanos;
  private boolean started;
  private long startNanos;
  private int count;
  private long sumRtt;
  private int maxInflight;

  WindowedLimit(long lengthNanos, AdaptiveLimit algorithm) {
    this.lengthNanos = lengthNanos;
    this.algorithm = algorithm;
  }

  @Override
  public int limit() {
    return algorithm.limit();
  }

  @Override
  public void onSample(long rttNanos, int inflight, long nowNanos) {
    if (!started) {
      reset(nowNanos);
    }
    count++;
    sumRtt += rttNanos;
    maxInflight = Math.max(maxInflight, inflight);
    if (nowNanos - startNanos < lengthNanos) {
      return;
    }
    boolean enough = count >= MIN_SAMPLES;
    double averageRtt = (double) sumRtt / count;
    int windowMaxInflight = maxInflight;
    reset(nowNanos);
    if (enough && averageRtt > 0) {
      algorithm.update(averageRtt, windowMaxInflight);
    }
  }

  /** The wrapped rule (for tests and for telling the algorithms apart). */
  AdaptiveLimit algorithm() {
    return algorithm;
  }

  private void reset(long nowNanos) {
    started = true;
    startNanos = nowNanos;
    count = 0;
    sumRtt = 0;
    maxInflight = 0;
  }
}
