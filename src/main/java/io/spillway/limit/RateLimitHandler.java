package io.spillway.limit;

import io.spillway.auth.ApiKeyAuth;
import io.spillway.auth.Principal;
import io.spillway.http.Problem;
import io.spillway.http.Problems;
import io.spillway.http.RouteTemplates;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.RoutingContext;

/**
 * Router handler: checks the request against the limiter, sets the RateLimit headers, and either continues,
 * answers 429 (type {@code rate-limited/<policy>}, or {@code quota-exceeded} for a quota, with Retry-After),
 * or 503 when a policy that fails closed cannot reach Redis. Put it after authentication (per-user limits need
 * the principal) and after whatever sets {@link #API_KEY_ID} and {@link #API_PLAN}.
 */
public final class RateLimitHandler implements Handler<RoutingContext> {
  /** Routing-context key of the authenticated API key's id (a String), set by the API-key handler. */
  public static final String API_KEY_ID = ApiKeyAuth.API_KEY_ID;
  /** Routing-context key of the API key's usage plan (a String). */
  public static final String API_PLAN = ApiKeyAuth.API_PLAN;

  private final RateLimiter limiter;

  public RateLimitHandler(RateLimiter limiter) {
    this.limiter = limiter;
  }

  @Override
  public void handle(RoutingContext ctx) {
    limiter.check(requestInfo(ctx, limiter.clientAddress())).onComplete(ar -> {
      if (ar.failed()) {
        ctx.fail(ar.cause());
        return;
      }
      Decision d = ar.result();
      if (d.unavailable()) {
        Problems.send(ctx, Problem.of(503, "rate-limit-unavailable", "Service unavailable",
            "the rate limiter cannot reach its store; try again shortly"));
        return;
      }
      RateLimitHeaders.apply(d, ctx.response().headers(), limiter.config().legacyHeaders());
      if (d.admitted()) {
        ctx.next();
      } else {
        Problems.send(ctx, problem(d));
      }
    });
  }

  /** What the limiter needs to know of a routed, authenticated request. */
  public static RequestInfo requestInfo(RoutingContext ctx, ClientAddress clientAddress) {
    HttpServerRequest req = ctx.request();
    Principal principal = Principal.of(ctx);
    return new RequestInfo(
        req.method().name(),
        RouteTemplates.of(ctx),
        req.path(),
        clientAddress.of(req),
        principal == null ? null : principal.subject(),
        ctx.get(API_KEY_ID),
        ctx.get(API_PLAN));
  }

  /** The 429 (or quota) problem for a rejection. */
  public static Problem problem(Decision d) {
    if (Decision.COST_EXCEEDS_CAPACITY.equals(d.reason())) {
      return Problem.of(429, "rate-limited/" + d.rejectedBy(), "Too many requests",
          "this request costs more than policy '" + d.rejectedBy() + "' allows at once (" + d.limit()
              + "); cost exceeds capacity, retrying will not help");
    }
    if (d.quotaExceeded()) {
      return Problem.of(429, "quota-exceeded", "Quota exceeded",
          "the quota of policy '" + d.rejectedBy() + "' (" + d.limit() + " requests) is used up; it resets in "
              + d.retryAfterSeconds() + " s");
    }
    return Problem.of(429, "rate-limited/" + d.rejectedBy(), "Too many requests",
        "policy '" + d.rejectedBy() + "' allows " + d.limit() + " requests"
            + (d.windowSeconds() > 0 ? " per " + d.windowSeconds() + " s" : "")
            + "; retry after " + d.retryAfterSeconds() + " s");
  }
}
