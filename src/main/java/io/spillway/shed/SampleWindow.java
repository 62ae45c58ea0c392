package io.spillway.shed;

/**
 * Latency samples gathered over one time window. The adaptive limits move once per window, not per request:
 * one slow request says little, a window's average says how the node is doing. A window with too few samples
 * is dropped rather than trusted.
 */
final class SampleWindow {
  static final int MIN_SAMPLES = 10;

  private final long lengthNanos;
  private boolean started;
  private long startNanos;
  private int count;
  private long sumRtt;
  private long minRtt;
  private int maxInflight;

  SampleWindow(long lengthNanos) {
    this.lengthNanos = lengthNanos;
    reset(0);
    started = false;
  }

  /**
   * Adds a sample; true when this sample closes a window that has enough samples, which the caller then
   * reads and {@link #reset}s. A window that closes with too few samples starts over.
   */
  boolean add(long rttNanos, int inflight, long nowNanos) {
    if (!started) {
      reset(nowNanos);
    }
    count++;
    sumRtt += rttNanos;
    minRtt = Math.min(minRtt, rttNanos);
    maxInflight = Math.max(maxInflight, inflight);
    if (nowNanos - startNanos < lengthNanos) {
      return false;
    }
    if (count < MIN_SAMPLES) {
      reset(nowNanos);
      return false;
    }
    return true;
  }

  void reset(long nowNanos) {
    started = true;
    startNanos = nowNanos;
    count = 0;
    sumRtt = 0;
    minRtt = Long.MAX_VALUE;
    maxInflight = 0;
  }

  double averageRtt() {
    return count == 0 ? 0 : (double) sumRtt / count;
  }

  long minRtt() {
    return minRtt;
  }

  int maxInflight() {
    return maxInflight;
  }

  int count() {
    return count;
  }
}
