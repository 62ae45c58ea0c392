package io.spillway.limit;

/** One policy's verdict on one request; times in milliseconds, {@code retryMillis} -1 when never. */
record Outcome(Policy policy, boolean ok, Code code, long limit, long remaining, long resetMillis, long retryMillis) {

  enum Code {
    OK, EXCEEDED, OVER_CAPACITY;

    static Code of(long wire) {
      return values()[(int) wire];
    }
  }

  /** Builds an outcome from an algorithm's numbers (microseconds), the same way the Lua driver does. */
  static Outcome of(Policy policy, long limit, int cost, boolean ok, long remaining, double resetMicros,
      double retryMicros) {
    if (cost > limit) {
      return new Outcome(policy, false, Code.OVER_CAPACITY, limit, remaining, millis(resetMicros), -1);
    }
    return new Outcome(policy, ok, ok ? Code.OK : Code.EXCEEDED, limit, remaining, millis(resetMicros),
        ok ? 0 : millis(retryMicros));
  }

  /** Rounded up (never tell a client to come back too early), ignoring floating-point dust. */
  private static long millis(double micros) {
    return (long) Math.ceil(micros / 1000 - 1e-6);
  }
}
