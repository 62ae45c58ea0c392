package io.spillway.shed;

/**
 * The rule of an adaptive limit: what one window's aggregate does to the limit. {@link WindowedLimit} gathers
 * the samples, closes the windows and calls {@link #update} once per window; an implementation never sees a
 * single request, only how the node did over a window.
 */
interface AdaptiveLimit {
  /** The current limit, always within the configured floor and ceiling. */
  int limit();

  /**
   * One closed window: the average latency of its samples ({@code > 0}) and the most requests that were in
   * flight when any of them started.
   */
  void update(double averageRttNanos, int maxInflight);
}
