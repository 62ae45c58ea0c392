package io.spillway.limit;

import io.spillway.web.Caller;
import io.spillway.web.Problem;
import io.spillway.web.ProblemType;
import io.spillway.web.Problems;
import io.spillway.web.RequestCost;
import io.spillway.web.RouteTemplates;
import io.vertx.core.AsyncResult;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.RoutingContext;

/**
 * Router handler: checks the request against the limiter, sets the RateLimit headers, and either continues,
 * answers 429 (type {@code rate-limited/<policy>}, or {@code quota-exceeded} for a quota, with Retry-After),
 * or 503 when a policy that fails closed cannot reach Redis. Put it after authentication: per-user and per-key
 * limits read the request's {@link Caller}.
 */
public final class RateLimitHandler implements Handler<RoutingContext> {
  /** Routing-context key of the decision whose headers the response carries. */
  private static final String SHOWN = "spillway.ratelimit.shown";
  private final RateLimiter limiter;
  private final Stage stage;

  /** Every policy in one check. */
  public RateLimitHandler(RateLimiter limiter) {
    this(limiter, Stage.ALL);
  }

  private RateLimitHandler(RateLimiter limiter, Stage stage) {
    this.limiter = limiter;
    this.stage = stage;
  }

  /** The policies decided before authentication (keyed by address and route only): mount it before the auth handlers. */
  public static RateLimitHandler beforeAuth(RateLimiter limiter) {
    return new RateLimitHandler(limiter, Stage.BEFORE_AUTH);
  }

  /** The other policies: mount it after the auth handlers. */
  public static RateLimitHandler afterAuth(RateLimiter limiter) {
    return new RateLimitHandler(limiter, Stage.AFTER_AUTH);
  }

  @Override
  public void handle(RoutingContext ctx) {
    if (!limiter.enabled()) {
      ctx.next();
      return;
    }
    Future<Decision> decision = limiter.check(requestInfo(ctx), stage);
    if (decision.isComplete()) {
      // Decided in memory (a lease, the local fallback): nothing can arrive meanwhile, go on at once.
      decided(ctx, decision);
      return;
    }
    // Redis decides: a request whose body (or end) has not been read yet is paused meanwhile, so nothing
    // arrives while no handler listens (a WebSocket upgrade that found its request already read could not
    // proceed); resumed before passing it on, delivery restarts on a later turn, after the next handler has
    // set its own.
    HttpServerRequest request = ctx.request();
    boolean paused = !request.isEnded();
    if (paused) {
      request.pause();
    }
    decision.onComplete(ar -> {
      if (paused) {
        request.resume();
      }
      decided(ctx, ar);
    });
  }

  private void decided(RoutingContext ctx, AsyncResult<Decision> ar) {
    if (ar.failed()) {
      ctx.fail(ar.cause());
      return;
    }
    Decision d = ar.result();
    if (d.unavailable()) {
      Problems.send(ctx, ProblemType.RATE_LIMIT_UNAVAILABLE.with(
          "the rate limiter cannot reach its store; try again shortly"));
      return;
    }
    // Two checks on one request: the headers describe the more restrictive decision, written once when the
    // response's headers go out.
    Decision shown = ctx.get(SHOWN);
    if (shown == null) {
      boolean legacy = limiter.config().legacyHeaders();
      ctx.addHeadersEndHandler(v -> RateLimitHeaders.apply(ctx.get(SHOWN), ctx.response().headers(), legacy));
    }
    if (shown == null || !d.admitted() || !shown.limited() || d.limited() && d.remaining() <= shown.remaining()) {
      ctx.put(SHOWN, d);
    }
    if (d.admitted()) {
      ctx.next();
    } else {
      Problems.send(ctx, problem(d));
    }
  }

  /** What the limiter needs to know of a routed, authenticated request. */
  public static RequestInfo requestInfo(RoutingContext ctx) {
    HttpServerRequest req = ctx.request();
    Caller caller = Caller.of(ctx);
    return new RequestInfo(
        req.method().name(),
        RouteTemplates.of(ctx),
        req.path(),
        caller.address(),
        caller.userId() == null ? null : caller.userId().toString(),
        caller.apiKeyId(),
        caller.plan(),
        RequestCost.of(ctx));
  }

  /** The 429 (or quota) problem for a rejection. */
  public static Problem problem(Decision d) {
    if (Decision.COST_EXCEEDS_CAPACITY.equals(d.reason())) {
      return Problem.rateLimited(d.rejectedBy(),
          "this request costs more than policy '" + d.rejectedBy() + "' allows at once (" + d.limit()
              + "); cost exceeds capacity, retrying will not help");
    }
    if (d.quotaExceeded()) {
      return ProblemType.QUOTA_EXCEEDED.with(
          "the quota of policy '" + d.rejectedBy() + "' (" + d.limit() + " requests) is used up; it resets in "
              + d.retryAfterSeconds() + " s");
    }
    return Problem.rateLimited(d.rejectedBy(),
        "policy '" + d.rejectedBy() + "' allows " + d.limit() + " requests"
            + (d.windowSeconds() > 0 ? " per " + d.windowSeconds() + " s" : "")
            + "; retry after " + d.retryAfterSeconds() + " s");
  }
}
