package io.spillway.http;

import io.spillway.config.AppConfig;
import io.vertx.core.Vertx;
import io.vertx.ext.web.Router;

/**
 * The router every request goes through: request id, access log, then the routes; every failure and every
 * unmatched request becomes a problem+json response.
 */
public final class ApiRouter {
  private ApiRouter() {}

  public static Router create(Vertx vertx, AppConfig config) {
    Router router = Router.router(vertx);
    router.route().handler(new RequestIds(config.observe().tracingEnabled()));
    if (config.http().accessLog()) {
      router.route().handler(new AccessLog(config.http().accessLogSampleRate()));
    }
    for (int status : new int[] {400, 401, 403, 404, 406, 413, 415, 500, 503}) {
      router.errorHandler(status, Problems::handleFailure);
    }
    router.errorHandler(405, ctx -> {
      ctx.response().putHeader("Allow", AllowedMethods.of(router, ctx.request().path()));
      Problems.handleFailure(ctx);
    });
    return router;
  }
}
