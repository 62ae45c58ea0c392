package io.spillway.stream;

import io.spillway.config.AppConfig;
import io.spillway.observe.HealthChecks;
import io.spillway.observe.HealthReport;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.kafka.admin.KafkaAdminClient;

import java.util.List;

/**
 * Consumes the events topic and publishes each event once on the event bus for the HttpVerticles to push.
 * Owns the Kafka health check.
 */
public final class StreamVerticle extends VerticleBase {
  public static final String HEALTH_OWNER = "kafka";

  private final AppConfig config;
  private KafkaAdminClient admin;

  public StreamVerticle(AppConfig config) {
    this.config = config;
  }

  @Override
  public Future<?> start() {
    vertx.eventBus().consumer(HealthChecks.ADDRESS_PREFIX + HEALTH_OWNER,
        msg -> checkKafka().onSuccess(report -> msg.reply(HealthChecks.toJson(List.of(report)))));
    return vertx.executeBlocking(() -> KafkaAdminClient.create(vertx, KafkaSettings.admin(config.kafka())))
        .onSuccess(a -> admin = a);
  }

  private Future<HealthReport> checkKafka() {
    return admin.describeCluster()
        .map(cluster -> cluster.getNodes().isEmpty()
            ? HealthReport.down("kafka", new IllegalStateException("no brokers"))
            : HealthReport.up("kafka"))
        .otherwise(err -> HealthReport.down("kafka", err));
  }

  @Override
  public Future<?> stop() {
    return admin == null ? Future.succeededFuture() : admin.close(1000);
  }

}
