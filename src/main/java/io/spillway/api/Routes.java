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
  private final Handler<RoutingContext> plans;
  private final Handler<RoutingContext> clientConcurrency;
  private final Handler<RoutingContext> limitBeforeAuth;
  private final Handler<RoutingContext> limitAfterAuth;

  /** The handlers of every route, in the order they run (see {@link #auth}). */
  record Chain(BearerAuth required, BearerAuth optional, Handler<RoutingContext> apiKeys,
               Handler<RoutingContext> plans, Handler<RoutingContext> clientConcurrency,
               Handler<RoutingContext> limitBeforeAuth, Handler<RoutingContext> limitAfterAuth) {}

  Routes(Router router, int maxBodyBytes, Chain chain) {
    this.router = router;
    this.body = BodyHandler.create(false).setBodyLimit(maxBodyBytes);
    this.required = chain.required();
    this.optional = chain.optional();
    this.apiKeys = chain.apiKeys();
    this.plans = chain.plans();
    this.clientConcurrency = chain.clientConcurrency();
    this.limitBeforeAuth = chain.limitBeforeAuth();
    this.limitAfterAuth = chain.limitAfterAuth();
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
   * The limits keyed by address alone (before any credential is looked up or verified), authentication (API
   * key, then bearer token) and the account's plan, then the per-client concurrency cap and the other rate
   * limits, which count by who the caller is.
   */
  private Route auth(Route route, Access access) {
    route.handler(limitBeforeAuth);
    Route authenticated = switch (access) {
      case PUBLIC -> route;
      case OPTIONAL -> route.handler(apiKeys).handler(optional).handler(plans);
      case REQUIRED -> route.handler(apiKeys).handler(required).handler(plans);
    };
    return authenticated.handler(clientConcurrency).handler(limitAfterAuth);
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
