package io.spillway.api;

import io.spillway.web.Caller;
import io.spillway.web.ProblemException;
import io.spillway.limit.Decision;
import io.spillway.limit.RateLimitHandler;
import io.spillway.limit.RateLimitHeaders;
import io.spillway.limit.RateLimiter;
import io.spillway.limit.RequestInfo;
import io.vertx.core.Future;
import io.vertx.ext.web.RoutingContext;

import java.util.Locale;

/**
 * Brute-force protection for {@code POST /v1/auth/token}: only failed logins count, per client address and
 * per email, under the policies that match the synthetic route {@value #ROUTE}. Before checking a password
 * the throttle looks (without counting); after a wrong password it counts.
 */
final class LoginThrottle {
  static final String ROUTE = "/v1/auth/token/failed";
  private final RateLimiter limiter;

  LoginThrottle(RateLimiter limiter) {
    this.limiter = limiter;
  }

  /** Fails with a 429 when this address or email has failed too often. */
  Future<Void> admit(RoutingContext ctx, String email) {
    return limiter.peek(info(ctx, email)).compose(d -> reject(ctx, d));
  }

  Future<Void> failed(RoutingContext ctx, String email) {
    return limiter.check(info(ctx, email)).mapEmpty();
  }

  private Future<Void> reject(RoutingContext ctx, Decision d) {
    if (d.admitted()) {
      return Future.succeededFuture();
    }
    RateLimitHeaders.apply(d, ctx.response().headers(), limiter.config().legacyHeaders());
    return Future.failedFuture(new ProblemException(RateLimitHandler.problem(d)));
  }

  private RequestInfo info(RoutingContext ctx, String email) {
    return new RequestInfo("POST", ROUTE, ROUTE, Caller.of(ctx).address(),
        "email:" + email.toLowerCase(Locale.ROOT), null, null);
  }
}
