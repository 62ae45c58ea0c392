package io.spillway.web;

import io.vertx.core.Future;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.DecodeException;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.HttpException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/** Writes problems, and turns every failure that reaches the router into one. */
public final class Problems {
  private static final Logger LOG = LoggerFactory.getLogger(Problems.class);
  /** Routing-context key of the problem a response carried. */
  private static final String SENT = "spillway.problem";

  private Problems() {}

  public static Future<Void> send(RoutingContext ctx, Problem problem) {
    HttpServerResponse response = ctx.response();
    if (response.headWritten()) {
      // Too late for a problem body: end what was started so the client is not left waiting.
      return response.ended() ? Future.succeededFuture() : response.end();
    }
    ctx.put(SENT, problem);
    if (problem.status() == 503 && !response.headers().contains(HttpHeaders.RETRY_AFTER)) {
      // Every 503 is worth a retry, and says when: clients and balancers back off instead of hammering.
      response.putHeader(HttpHeaders.RETRY_AFTER, "1");
    }
    return response
        .setStatusCode(problem.status())
        .putHeader(HttpHeaders.CONTENT_TYPE, Problem.CONTENT_TYPE)
        .putHeader(HttpHeaders.CACHE_CONTROL, "no-store")
        .end(problem.toJson(ctx.request().path(), RequestIds.of(ctx)).toBuffer());
  }

  /** The problem this request was answered with, or null (a success, or an error written another way). */
  public static Problem sent(RoutingContext ctx) {
    return ctx.get(SENT);
  }

  public static <T> Future<T> fail(Problem problem) {
    return Future.failedFuture(new ProblemException(problem));
  }

  /** The router's failure handler: every failure becomes a problem+json response. */
  public static void handleFailure(RoutingContext ctx) {
    send(ctx, toProblem(ctx));
  }

  static Problem toProblem(RoutingContext ctx) {
    Throwable failure = ctx.failure();
    if (failure instanceof ProblemException pe) {
      return pe.problem();
    }
    if (failure instanceof DecodeException) {
      return ProblemType.MALFORMED_JSON.with("the request body is not valid JSON");
    }
    int status = failure instanceof HttpException he ? he.getStatusCode() : ctx.statusCode();
    if (status < 400 || status > 599) {
      status = 500;
    }
    if (status >= 500) {
      try (MDC.MDCCloseable id = MDC.putCloseable("requestId", RequestIds.of(ctx));
           MDC.MDCCloseable trace = MDC.putCloseable("traceId", RequestIds.traceId(ctx))) {
        LOG.error("request {} {} failed", ctx.request().method(), RouteTemplates.of(ctx), failure);
      }
    }
    return forStatus(ctx, status);
  }

  /** The 500 problem: it never says more than that the server failed. */
  public static Problem internal() {
    return ProblemType.INTERNAL.with("the server failed to handle the request");
  }

  static Problem forStatus(RoutingContext ctx, int status) {
    return switch (status) {
      case 400 -> Problem.badRequest("the request is malformed");
      case 401 -> Problem.unauthorized("authentication is required");
      case 403 -> Problem.forbidden("not allowed");
      case 404 -> Problem.notFound("no resource at " + ctx.request().path());
      case 405 -> ProblemType.METHOD_NOT_ALLOWED.with(
          ctx.request().method() + " is not allowed on " + ctx.request().path());
      case 413 -> ProblemType.PAYLOAD_TOO_LARGE.with("the request body is larger than the server accepts");
      case 415 -> ProblemType.UNSUPPORTED_MEDIA_TYPE.with("the request body must be application/json");
      case 503 -> Problem.unavailable("the service is unavailable, try again later");
      default -> status >= 500 ? internal() : Problem.ofStatus(status, "the request failed with status " + status);
    };
  }
}
