package io.spillway.server;

import io.spillway.config.AppConfig;
import io.spillway.data.DataClient;
import io.spillway.observe.HealthChecks;
import io.spillway.observe.Telemetry;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpServer;
import io.spillway.web.Problems;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.handler.BodyHandler;
import io.vertx.micrometer.PrometheusScrapingHandler;

import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The management port: health, Prometheus metrics and the admin API, kept apart from public traffic and its
 * limits. It listens on {@code management.host} (the loopback address by default); {@code /metrics} and
 * {@code /health/*} answer anyone who reaches it, {@code /admin/*} only a caller with the admin token.
 */
public final class ManagementVerticle extends VerticleBase {
  private final AppConfig config;
  private final List<String> healthOwners;
  private final Telemetry telemetry;
  private HttpServer server;

  private final LimitsUpdate limitsUpdate;

  /** {@code limitsUpdate} answers {@code PUT /admin/limits} (a new {@code limits} section, applied at once). */
  public ManagementVerticle(AppConfig config, List<String> healthOwners, Telemetry telemetry,
                            LimitsUpdate limitsUpdate) {
    this.config = config;
    this.healthOwners = healthOwners;
    this.telemetry = telemetry;
    this.limitsUpdate = limitsUpdate;
  }

  @Override
  public Future<?> start() {
    HealthChecks health = new HealthChecks(vertx, healthOwners, 2000);
    Router router = Router.router(vertx);
    router.get("/health/live").handler(health::live);
    router.get("/health/ready").handler(health::readyWithDetails);
    router.get("/health/dependencies").handler(health::dependencies);
    if (config.management().adminApi()) {
      // The token is checked before the body is read: an unauthorised caller costs no buffering.
      AdminAuth admin = new AdminAuth(config.management());
      router.route("/admin/*").handler(admin);
      router.put("/admin/limits").handler(BodyHandler.create(false).setBodyLimit(1 << 20)).handler(limitsUpdate::handle);
      AccountPlanUpdate plans = new AccountPlanUpdate(vertx, new DataClient(vertx, telemetry.registry()),
          limitsUpdate::current, config.auth().defaultPlan());
      router.put("/admin/accounts/:id/plan").handler(BodyHandler.create(false).setBodyLimit(4096)).handler(plans::handle);
      ShardAdmin shards = new ShardAdmin(vertx, config.data());
      router.get("/admin/shards").handler(shards::status);
      router.post("/admin/shards/:logical/move").handler(BodyHandler.create(false).setBodyLimit(4096))
          .handler(shards::move);
      router.delete("/admin/shards/:logical/move").handler(shards::cancel);
      router.post("/admin/shards/:logical/cleanup").handler(shards::cleanup);
      router.post("/admin/feed/:id/rebuild").handler(new TimelineRebuild(new DataClient(vertx, telemetry.registry()))::handle);
    }
    for (int status : new int[] {400, 401, 403, 404, 405, 413, 415, 500}) {
      router.errorHandler(status, Problems::handleFailure);
    }
    if (telemetry.prometheus() != null) {
      router.get("/metrics").handler(PrometheusScrapingHandler.create(telemetry.prometheus()));
    }
    server = vertx.createHttpServer().requestHandler(router);
    return server.listen(config.management().port(), config.management().host());
  }

  @Override
  public Future<?> stop() {
    return server == null ? Future.succeededFuture() : server.shutdown(1, TimeUnit.SECONDS);
  }
}
