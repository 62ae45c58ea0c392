package io.spillway.shed;

/**
 * Follows the ratio of the long-term latency to the latest window's latency (Netflix's Gradient2).
 *
 * <p>Each window (a {@link WindowedLimit} closes them): {@code gradient = clamp(longRtt / shortRtt, 0.5, 1)};
 * {@code target = limit * gradient + sqrt(limit)}; the limit moves {@code smoothing} of the way to the target.
 * When latency rises the gradient drops below 1 and the limit shrinks (at most halving per window, so one
 * outlier window cannot collapse it); while latency holds, the square-root headroom probes upwards, as Envoy's
 * gradient controller does. The long term is an average of window averages rather than a minimum: request cost
 * varies too much in an API for a minimum to be a fair baseline, and a minimum biases the limit low.
 */
final class Gradient2Limit implements AdaptiveLimit {
  /** The long-term RTT averages roughly this many windows, so a lasting shift becomes the new normal. */
  static final int LONG_WINDOWS = 20;
  private static final double LONG_WEIGHT = 2.0 / (LONG_WINDOWS + 1);

  private final int minLimit;
  private final int maxLimit;
  private final double smoothing;
  private double limit;
  private double longRtt;

  Gradient2Limit(int initialLimit, int minLimit, int maxLimit, double smoothing) {
    this.minLimit = minLimit;
    this.maxLimit = maxLimit;
    this.smoothing = smoothing;
    this.limit = clamp(initialLimit, minLimit, maxLimit);
  }

  @Override
  public int limit() {
    return (int) limit;
  }

  @Override
  public void update(double shortRtt, int maxInflight) {
    longRtt = longRtt == 0 ? shortRtt : longRtt + (shortRtt - longRtt) * LONG_WEIGHT;
    // After a long overload the long-term average sits far above today's latency and would hold the gradient at 1
    // for minutes; pulling it down faster lets the limit recover as soon as latency does.
    if (longRtt > 2 * shortRtt) {
      longRtt *= 0.9;
    }
    // A node using under half its limit says nothing about what it could take: growing the limit then would
    // only let a later burst through unchecked.
    if (maxInflight < limit / 2) {
      return;
    }
    double gradient = clamp(longRtt / shortRtt, 0.5, 1.0);
    double target = limit * gradient + Math.sqrt(limit);
    limit = clamp(limit * (1 - smoothing) + target * smoothing, minLimit, maxLimit);
  }

  double longRttNanos() {
    return longRtt;
  }

  static double clamp(double v, double min, double max) {
    return Math.max(min, Math.min(max, v));
  }
}
