package io.spillway.shed;

import io.spillway.config.Priority;
import io.spillway.web.Caller;
import io.spillway.web.Problem;
import io.spillway.web.ProblemType;
import io.spillway.web.Problems;
import io.spillway.web.RouteTemplates;
import io.vertx.core.AsyncResult;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.RoutingContext;

/**
 * The router's door: classifies the request, asks the {@link LoadShedder} for a slot, and answers 503
 * {@code overloaded} (or 429 when the caller alone is over its share) with {@code Retry-After} when refused.
 *
 * <p>Mount it early, with {@code router.route().handler(...)}, before authentication: refusing a request must
 * cost less than serving it. There it sees no route yet and classifies the raw path against the configured
 * patterns; mounted on a route named with {@link RouteTemplates#named} it classifies the template instead. (Not
 * on an unnamed prefix route such as {@code /v1/*}: its "template" would be the prefix.)
 *
 * <p>The slot is released exactly once, by an end handler, when the response has been sent (with a latency
 * sample) or the connection closed (without one). A request whose handler never answers holds its slot until
 * the connection closes, which {@code http.idleTimeoutSeconds} bounds.
 *
 * <p>A WebSocket handshake is admitted or refused like any request, but gives its slot back as soon as it is let
 * through, so open sockets do not count against the limit.
 *
 * <p>Create one per HttpVerticle, in its {@code start}: the handler then also watches that verticle's event loop
 * for lag.
 */
public final class LoadShedHandler implements Handler<RoutingContext> {
  /** Routing-context key of the request's {@link Permit}. */
  static final String PERMIT = "shed.permit";

  private final LoadShedder shedder;
  private final RouteClassifier classifier;
  private final String retryAfter;

  public LoadShedHandler(LoadShedder shedder) {
    this.shedder = shedder;
    this.classifier = new RouteClassifier(shedder.config().routes());
    this.retryAfter = Integer.toString(shedder.config().retryAfterSeconds());
    shedder.watch(Vertx.currentContext());
  }

  @Override
  public void handle(RoutingContext ctx) {
    if (ctx.get(PERMIT) != null) {
      // Already through the door (handler mounted twice, or a reroute): counting it again would leak a slot.
      ctx.next();
      return;
    }
    HttpServerRequest request = ctx.request();
    String template = RouteTemplates.of(ctx);
    Priority priority = classifier.classify(request.method().name(),
        "unmatched".equals(template) ? null : template, ctx.normalizedPath());
    Permit permit = shedder.admit(priority, Caller.of(ctx).clientKey());
    ctx.put(PERMIT, permit);
    ctx.addEndHandler(ended -> {
      if (ended.succeeded()) {
        permit.release();
      } else {
        permit.abandon();
      }
    });
    boolean upgrade = request.headers().contains(HttpHeaders.UPGRADE, HttpHeaders.WEBSOCKET, true);
    Future<Void> admitted = permit.admitted();
    if (admitted.isComplete()) {
      proceed(ctx, permit, upgrade, admitted);
      return;
    }
    // The request waits. Its body must not arrive while nobody listens (the BodyHandler would later find the
    // request ended and fail it), so it is paused for the wait and resumed just before passing it on: delivery
    // restarts on a later turn of the event loop, after the next handlers have set theirs. A refused request is
    // resumed too, so the rest of its body is read and dropped and the connection can carry the next request.
    boolean paused = !request.isEnded();
    if (paused) {
      request.pause();
    }
    admitted.onComplete(ar -> {
      if (paused) {
        request.resume();
      }
      proceed(ctx, permit, upgrade, ar);
    });
  }

  private void proceed(RoutingContext ctx, Permit permit, boolean upgrade, AsyncResult<Void> admitted) {
    if (admitted.succeeded()) {
      if (upgrade) {
        // The handshake was let in, but the socket must not hold a slot for its whole life: thousands of idle
        // sockets would fill the limit. WebSocket load is bounded where the sockets are, not here.
        permit.abandon();
      }
      if (!ctx.response().closed() && !ctx.response().ended()) {
        ctx.next();
      }
    } else if (admitted.cause() instanceof Rejection rejection) {
      if ("unmatched".equals(RouteTemplates.of(ctx))) {
        String rule = classifier.rule(ctx.request().method().name(), null, ctx.normalizedPath());
        RouteTemplates.mark(ctx, rule != null ? "shed:" + rule : "shed:unclassified");
      }
      reject(ctx, rejection, retryAfter);
    }
    // Otherwise the request went away while it waited: there is nobody to answer.
  }

  static void reject(RoutingContext ctx, Rejection rejection, String retryAfter) {
    ctx.response().putHeader(HttpHeaders.RETRY_AFTER, retryAfter);
    Problems.send(ctx, problem(rejection));
  }

  static Problem problem(Rejection rejection) {
    return switch (rejection.reason()) {
      case CLIENT_LIMIT -> ProblemType.TOO_MANY_CONCURRENT_REQUESTS.with(
          "you have too many requests in progress; wait for one to finish before sending more");
      case QUEUE_TIMEOUT -> ProblemType.OVERLOADED.with(
          "the server is overloaded and no capacity came free in time; retry later");
      case QUEUE_FULL, LIMIT -> ProblemType.OVERLOADED.with(
          "the server is overloaded and is turning away " + rejection.priority().label() + " requests; retry later");
    };
  }
}
