package io.spillway.api;

import io.spillway.auth.BearerAuth;
import io.spillway.web.JsonBodies;
import io.spillway.web.RouteTemplates;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Route;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;

import java.util.function.BiFunction;
import java.util.function.Function;

/**
 * Declares API routes the same way every time: body limit, route template, authentication, rate limits,
 * then a handler that returns a future response. Failures reach the router's failure handler and become problems.
 */
final class Routes {
  enum Access { PUBLIC, OPTIONAL, REQUIRED }

  private final Router router;
  private final BodyHandler body;
  private final BearerAuth required;
  private final BearerAuth optional;
  private final Handler<RoutingContext> apiKeys;
  private final Handler<RoutingContext> clientConcurrency;
  private final Handler<RoutingContext> rateLimit;

  Routes(Router router, int maxBodyBytes, BearerAuth required, BearerAuth optional, Handler<RoutingContext> apiKeys,
         Handler<RoutingContext> clientConcurrency, Handler<RoutingContext> rateLimit) {
    this.router = router;
    this.body = BodyHandler.create(false).setBodyLimit(maxBodyBytes);
    this.required = required;
    this.optional = optional;
    this.apiKeys = apiKeys;
    this.clientConcurrency = clientConcurrency;
    this.rateLimit = rateLimit;
  }

  /** A route without a request body: nothing buffers one (a body sent anyway is discarded unread). */
  void add(HttpMethod method, String path, Access access, Function<RoutingContext, Future<ApiResponse>> handler) {
    auth(RouteTemplates.named(router.route(method, path), path), access)
        .handler(ctx -> respond(ctx, () -> handler.apply(ctx)));
  }

  /** A route whose request body is a JSON object (415 when not JSON, 400 when malformed, 413 when too large). */
  void addJson(HttpMethod method, String path, Access access,
               BiFunction<RoutingContext, JsonObject, Future<ApiResponse>> handler) {
    auth(withBody(method, path), access).handler(ctx -> respond(ctx, () -> handler.apply(ctx, JsonBodies.object(ctx))));
  }

  /** Body first (Vert.x Web requires body handlers before user handlers), then the template marker. */
  private Route withBody(HttpMethod method, String path) {
    return RouteTemplates.named(router.route(method, path).handler(body), path);
  }

  /**
   * Authentication (API key, then bearer token), then the per-client concurrency cap and the rate limits,
   * which count by who the caller is.
   */
  private Route auth(Route route, Access access) {
    Route authenticated = switch (access) {
      case PUBLIC -> route;
      case OPTIONAL -> route.handler(apiKeys).handler(optional);
      case REQUIRED -> route.handler(apiKeys).handler(required);
    };
    return authenticated.handler(clientConcurrency).handler(rateLimit);
  }

  private static void respond(RoutingContext ctx, java.util.function.Supplier<Future<ApiResponse>> call) {
    Future<ApiResponse> result;
    try {
      result = call.get();
    } catch (RuntimeException e) {
      result = Future.failedFuture(e);
    }
    result.onComplete(ar -> {
      if (ar.succeeded()) {
        ar.result().send(ctx);
      } else {
        ctx.fail(ar.cause());
      }
    });
  }
}
