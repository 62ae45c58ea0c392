package io.spillway.limit;

import io.spillway.config.RateLimitPolicy.Algorithm;

import java.util.List;

/**
 * The limiter's answer for one request. {@code policy}, {@code limit}, {@code remaining}, {@code resetMillis}
 * and {@code windowSeconds} describe the most restrictive policy (the rejecting one when rejected, else the one
 * with the least left); {@code policy} is null when no policy applied. {@code retryAfterMillis} is 0 when
 * admitted and -1 when waiting can never help (the request costs more than the policy holds). {@code
 * unavailable}: a policy with {@code onRedisFailure: closed} could not be evaluated (answer 503). {@code
 * degraded}: decided without Redis (local fallback, or failing open).
 */
public record Decision(
    boolean admitted,
    boolean unavailable,
    boolean degraded,
    String policy,
    long limit,
    long remaining,
    long resetMillis,
    long retryAfterMillis,
    long windowSeconds,
    String rejectedBy,
    String reason,
    boolean quotaExceeded) {

  public static final String LIMIT_EXCEEDED = "limit exceeded";
  public static final String QUOTA_EXCEEDED = "quota exceeded";
  public static final String COST_EXCEEDS_CAPACITY = "cost exceeds capacity";
  public static final String UNAVAILABLE = "rate limiter unavailable";

  private static final Decision UNLIMITED = new Decision(true, false, false, null, 0, 0, 0, 0, 0, null, null, false);
  private static final Decision UNLIMITED_DEGRADED =
      new Decision(true, false, true, null, 0, 0, 0, 0, 0, null, null, false);

  /** No policy applied. */
  public static Decision unlimited() {
    return UNLIMITED;
  }

  static Decision unlimited(boolean degraded) {
    return degraded ? UNLIMITED_DEGRADED : UNLIMITED;
  }

  static Decision unavailable(String policy) {
    return new Decision(false, true, true, null, 0, 0, 0, 0, 0, policy, UNAVAILABLE, false);
  }

  /** True when a policy applied, so there is something to put in the RateLimit headers. */
  public boolean limited() {
    return policy != null;
  }

  public long resetSeconds() {
    return (resetMillis + 999) / 1000;
  }

  /** Whole seconds to wait, at least 1 when rejected; 0 when admitted; -1 when retrying cannot help. */
  public long retryAfterSeconds() {
    if (retryAfterMillis < 0) {
      return -1;
    }
    if (admitted) {
      return 0;
    }
    return Math.max(1, (retryAfterMillis + 999) / 1000);
  }

  /**
   * Combines the policies' outcomes: admitted when every enforced (non-shadow) policy admits. The headers
   * describe the rejecting policy with the longest wait, or, when admitted, the policy with the least left.
   */
  static Decision from(List<Outcome> outcomes, boolean degraded) {
    Outcome rejecting = null;
    Outcome tightest = null;
    for (Outcome o : outcomes) {
      if (!o.ok() && !o.policy().shadow && (rejecting == null || longerWait(o, rejecting))) {
        rejecting = o;
      }
      if (tightest == null || o.remaining() < tightest.remaining()
          || (o.remaining() == tightest.remaining() && o.resetMillis() > tightest.resetMillis())) {
        tightest = o;
      }
    }
    if (tightest == null) {
      return unlimited(degraded);
    }
    if (rejecting == null) {
      return describe(tightest, true, degraded, null);
    }
    String reason = switch (rejecting.code()) {
      case OVER_CAPACITY -> COST_EXCEEDS_CAPACITY;
      default -> rejecting.policy().algorithm == Algorithm.QUOTA ? QUOTA_EXCEEDED : LIMIT_EXCEEDED;
    };
    return describe(rejecting, false, degraded, reason);
  }

  private static boolean longerWait(Outcome a, Outcome b) {
    if (b.retryMillis() < 0) {
      return false;
    }
    return a.retryMillis() < 0 || a.retryMillis() > b.retryMillis();
  }

  private static Decision describe(Outcome o, boolean admitted, boolean degraded, String reason) {
    Policy p = o.policy();
    // A rejected client is told to come back when it can be served: the RateLimit header's window then
    // must not end before Retry-After (draft-ietf-httpapi-ratelimit-headers, section 6).
    long reset = admitted || o.retryMillis() < 0 ? o.resetMillis() : o.retryMillis();
    return new Decision(admitted, false, degraded, p.name, o.limit(), o.remaining(), reset,
        admitted ? 0 : o.retryMillis(), p.headerWindowSeconds, admitted ? null : p.name, reason,
        !admitted && p.algorithm == Algorithm.QUOTA && o.code() == Outcome.Code.EXCEEDED);
  }
}
