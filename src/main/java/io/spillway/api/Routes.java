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
import io.vertx.openapi.contract.Operation;

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
  private ApiContract contract;
  private ApiVersion.Headers versions;
  private V2Representations v2;
  private boolean validateReads;

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

  /**
   * Every route is mounted for both API versions ({@code /v1/...} and {@code /v2/...}), checked against its
   * operation in the contract, and answered in the request's version (see {@link ApiVersion}).
   */
  Routes versioned(ApiContract contract, ApiVersion.Headers versions, V2Representations v2, boolean validateReads) {
    this.contract = contract;
    this.versions = versions;
    this.v2 = v2;
    this.validateReads = validateReads;
    return this;
  }

  /**
   * A route without a request body: nothing buffers one (a body sent anyway is discarded unread). Its path
   * and header parameters are validated against the contract, except on reads unless {@code
   * api.validateReads} is on: a read's id, limit and cursor are checked by hand ({@link Params}).
   */
  void add(HttpMethod method, String path, Access access, Function<RoutingContext, Future<ApiResponse>> handler) {
    for (ApiVersion version : ApiVersion.values()) {
      String versioned = pathIn(version, path);
      Operation op = method == HttpMethod.GET && !validateReads ? null : contract.operation(method, versioned);
      V2Representations.Shape shape = v2.forRoute(method, path);
      auth(version(RouteTemplates.named(router.route(method, versioned), versioned), version), access)
          .handler(ctx -> respond(ctx, shape, () -> validated(ctx, op).compose(v -> handler.apply(ctx))));
    }
  }

  /**
   * A route whose request body is a JSON object (415 when not JSON, 400 when malformed or when the contract
   * refuses it, 413 when too large).
   */
  void addJson(HttpMethod method, String path, Access access,
               BiFunction<RoutingContext, JsonObject, Future<ApiResponse>> handler) {
    for (ApiVersion version : ApiVersion.values()) {
      String versioned = pathIn(version, path);
      Operation op = contract.operation(method, versioned);
      V2Representations.Shape shape = v2.forRoute(method, path);
      auth(version(withBody(method, versioned), version), access).handler(ctx -> respond(ctx, shape, () -> {
        JsonObject body = JsonBodies.object(ctx);
        return validated(ctx, op).compose(v -> handler.apply(ctx, body));
      }));
    }
  }

  /**
   * The GraphQL route ({@code POST} and {@code GET}): body, then {@code prepare} (parses and weighs the query and
   * names the route after its operation), then the door's shedding by that name, then authentication and the rate
   * limits as on every route, then {@code execute}.
   */
  void addGraphQl(String path, int maxBodyBytes, Handler<RoutingContext> prepare, Handler<RoutingContext> door,
                  Handler<RoutingContext> execute) {
    Route post = RouteTemplates.named(router.post(path).handler(BodyHandler.create(false).setBodyLimit(maxBodyBytes)),
        path);
    Route get = RouteTemplates.named(router.get(path), path);
    for (Route route : java.util.List.of(post, get)) {
      auth(route.handler(prepare).handler(door), Access.OPTIONAL).handler(execute);
    }
  }

  private static String pathIn(ApiVersion version, String v1Path) {
    return version == ApiVersion.V1 ? v1Path : "/v2" + v1Path.substring("/v1".length());
  }

  private Route version(Route route, ApiVersion version) {
    return route.handler(versions.handler(version));
  }

  private Future<Void> validated(RoutingContext ctx, Operation op) {
    return op == null ? Future.succeededFuture() : contract.validate(ctx, op);
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

  private static void respond(RoutingContext ctx, V2Representations.Shape shape,
                              java.util.function.Supplier<Future<ApiResponse>> call) {
    Future<ApiResponse> result;
    try {
      result = call.get();
    } catch (RuntimeException e) {
      result = Future.failedFuture(e);
    }
    if (ApiVersion.of(ctx) == ApiVersion.V2) {
      result = result.compose(r -> r.json() == null ? Future.succeededFuture(r)
          : shape.apply(ctx, r.json()).map(r::reshaped));
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
