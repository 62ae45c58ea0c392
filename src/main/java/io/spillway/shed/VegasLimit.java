package io.spillway.shed;

/**
 * TCP Vegas applied to requests (after Netflix's VegasLimit): estimate how many requests are queued inside the
 * node from how far the latency is above its no-load value, and keep that queue small.
 *
 * <p>Each window (a {@link WindowedLimit} closes them): {@code queue = limit * (1 - noLoadRtt / rtt)}. With
 * {@code l = max(1, log10(limit))}: a queue of at most {@code l} grows the limit by {@code 6l}, below {@code 3l}
 * by {@code l}; above {@code 6l} shrinks it by {@code l}; in between it holds. The no-load RTT is the lowest
 * window average seen, re-measured every {@link #PROBE_WINDOWS} windows so that a lasting change in the work (a
 * slower database) is not mistaken for queueing forever.
 */
final class VegasLimit implements AdaptiveLimit {
  static final int PROBE_WINDOWS = 60;

  private final int minLimit;
  private final int maxLimit;
  private final double smoothing;
  private double limit;
  private double noLoadRtt;
  private int windowsSinceProbe;

  VegasLimit(int initialLimit, int minLimit, int maxLimit, double smoothing) {
    this.minLimit = minLimit;
    this.maxLimit = maxLimit;
    this.smoothing = smoothing;
    this.limit = Gradient2Limit.clamp(initialLimit, minLimit, maxLimit);
  }

  @Override
  public int limit() {
    return (int) limit;
  }

  @Override
  public void update(double rtt, int maxInflight) {
    if (noLoadRtt == 0 || ++windowsSinceProbe >= PROBE_WINDOWS) {
      noLoadRtt = rtt;
      windowsSinceProbe = 0;
      return;
    }
    noLoadRtt = Math.min(noLoadRtt, rtt);
    // Far below the limit the latency says nothing about the limit: do not let it drift upwards unchecked.
    if (maxInflight * 2 < limit) {
      return;
    }
    double queue = limit * (1 - noLoadRtt / rtt);
    double step = Math.max(1, Math.log10(limit));
    double target;
    if (queue <= step) {
      target = limit + 6 * step;
    } else if (queue < 3 * step) {
      target = limit + step;
    } else if (queue > 6 * step) {
      target = limit - step;
    } else {
      return;
    }
    target = Gradient2Limit.clamp(target, minLimit, maxLimit);
    limit = Gradient2Limit.clamp(limit * (1 - smoothing) + target * smoothing, minLimit, maxLimit);
  }

  double noLoadRttNanos() {
    return noLoadRtt;
  }
}
