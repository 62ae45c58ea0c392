package io.spillway.server;

import io.spillway.config.AppConfig;
import io.spillway.observe.AccessLog;
import io.spillway.observe.HttpMetrics;
import io.spillway.observe.TraceHandler;
import io.spillway.web.Problems;
import io.spillway.web.RequestIds;
import io.vertx.core.Vertx;
import io.vertx.ext.web.Router;

/**
 * The router every request goes through: request id, trace, the consistency token, the caller's address,
 * access log, then the routes; every failure and every unmatched request becomes a problem+json response.
 */
public final class ApiRouter {
  private ApiRouter() {}

  /** {@code metrics}: the node's request metrics, or null for none. */
  public static Router create(Vertx vertx, AppConfig config, CallerHandler callers, HttpMetrics metrics) {
    Router router = Router.router(vertx);
    router.route().handler(new RequestIds());
    if (metrics != null) {
      router.route().handler(metrics);
    }
    if (config.observe().tracingEnabled()) {
      router.route().handler(new TraceHandler());
    }
    router.route().handler(new ConsistencyHandler(config.data().shards().size()));
    router.route().handler(callers);
    if (config.http().accessLog()) {
      router.route().handler(new AccessLog(config.http().accessLogSampleRate(), config.http().accessLogSlowMs()));
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
