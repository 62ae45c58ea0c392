package io.spillway.shed;

import io.spillway.config.ShedConfig;

import java.util.concurrent.TimeUnit;

/**
 * How many requests the node may have in flight, learned from the latency of the ones that finished.
 * Implementations are plain single-threaded state machines driven by the caller's clock, so they can be
 * tested with a fake one; {@link LoadShedder} serialises the calls. The adaptive ones are an {@link
 * AdaptiveLimit} inside a {@link WindowedLimit}, which owns the sample window.
 */
interface ConcurrencyLimit {
  /** The current limit, always within the configured floor and ceiling. */
  int limit();

  /**
   * One finished request: it took {@code rttNanos} and started when {@code inflight} requests (itself
   * included) were in progress; {@code nowNanos} is the caller's clock.
   */
  void onSample(long rttNanos, int inflight, long nowNanos);

  static ConcurrencyLimit from(ShedConfig config) {
    long window = TimeUnit.MILLISECONDS.toNanos(config.windowMs());
    return switch (config.algorithm()) {
      case VEGAS -> new WindowedLimit(window, new VegasLimit(config.initialLimit(), config.minLimit(),
          config.maxLimit(), config.smoothing()));
      case FIXED -> new FixedLimit(config.initialLimit());
      case GRADIENT2 -> new WindowedLimit(window, new Gradient2Limit(config.initialLimit(), config.minLimit(),
          config.maxLimit(), config.smoothing()));
    };
  }
}
