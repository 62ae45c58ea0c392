package io.spillway.shed;

import java.util.concurrent.TimeUnit;

/** Feeds a limit whole sample windows of one latency, as a saturated node would, on a fake clock. */
final class LimitDriver {
  static final long WINDOW_MS = 100;
  private final ConcurrencyLimit limit;
  private long now = TimeUnit.SECONDS.toNanos(1_000);
  private boolean first = true;

  LimitDriver(ConcurrencyLimit limit) {
    this.limit = limit;
  }

  /** Drives an adaptive rule the way the node does: inside a {@link WindowedLimit} of {@link #WINDOW_MS}. */
  LimitDriver(AdaptiveLimit rule) {
    this(windowed(rule));
  }

  static WindowedLimit windowed(AdaptiveLimit rule) {
    return new WindowedLimit(TimeUnit.MILLISECONDS.toNanos(WINDOW_MS), rule);
  }

  /** One window of samples that all took {@code rttMs}, with the node using its whole limit. */
  int window(double rttMs) {
    return window(rttMs, -1);
  }

  /** One window with {@code inflight} requests in progress (-1: the current limit). */
  int window(double rttMs, int inflight) {
    // A window opens at the sample that closed the one before (or at the very first sample) and closes at the
    // first sample a whole window later: the first window gets an opening sample so that every window closes on
    // the last sample of its own call.
    if (first) {
      first = false;
      sample(rttMs, inflight);
    }
    for (int i = 0; i < 20; i++) {
      now += TimeUnit.MILLISECONDS.toNanos(WINDOW_MS) / 20;
      sample(rttMs, inflight);
    }
    return limit.limit();
  }

  private void sample(double rttMs, int inflight) {
    limit.onSample((long) (rttMs * 1_000_000), inflight < 0 ? limit.limit() : inflight, now);
  }

  int windows(int n, double rttMs) {
    for (int i = 0; i < n; i++) {
      window(rttMs);
    }
    return limit.limit();
  }
}
