package io.spillway.data;

import io.spillway.config.AppConfig;
import io.spillway.observe.HealthChecks;
import io.spillway.observe.HealthReport;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.sqlclient.Pool;

import java.util.ArrayList;
import java.util.List;

/**
 * Owns the shard pools and serves the data addresses on the event bus. HttpVerticles never talk to
 * PostgreSQL themselves.
 */
public final class DataVerticle extends VerticleBase {
  public static final String HEALTH_OWNER = "data";

  private final AppConfig config;
  private ShardPools pools;

  public DataVerticle(AppConfig config) {
    this.config = config;
  }

  @Override
  public Future<?> start() {
    pools = ShardPools.create(vertx, config.data());
    vertx.eventBus().consumer(HealthChecks.ADDRESS_PREFIX + HEALTH_OWNER,
        msg -> checkShards().onSuccess(reports -> msg.reply(HealthChecks.toJson(reports))));
    return Future.succeededFuture();
  }

  private Future<List<HealthReport>> checkShards() {
    List<Future<HealthReport>> checks = new ArrayList<>();
    for (int i = 0; i < pools.size(); i++) {
      checks.add(ping("pg-shard-" + i, pools.primary(i)));
      List<Pool> replicas = pools.replicas(i);
      for (int j = 0; j < replicas.size(); j++) {
        checks.add(ping("pg-shard-" + i + "-replica-" + j, replicas.get(j)));
      }
    }
    return Future.join(checks).otherwiseEmpty().map(v -> checks.stream().map(Future::result).toList());
  }

  private static Future<HealthReport> ping(String name, Pool pool) {
    return pool.query("SELECT 1").execute()
        .map(rows -> HealthReport.up(name))
        .otherwise(err -> HealthReport.down(name, err));
  }

  @Override
  public Future<?> stop() {
    return pools == null ? Future.succeededFuture() : pools.close();
  }
}
