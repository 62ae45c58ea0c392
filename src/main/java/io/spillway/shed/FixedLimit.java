package io.spillway.shed;

/** A limit that never moves: for nodes whose capacity is known and measured, and for tests. */
final class FixedLimit implements ConcurrencyLimit {
  private final int limit;

  FixedLimit(int limit) {
    this.limit = limit;
  }

  @Override
  public int limit() {
    return limit;
  }

  @Override
  public void onSample(long rttNanos, int inflight, long nowNanos) {}
}
