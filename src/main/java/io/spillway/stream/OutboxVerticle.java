package io.spillway.stream;

import io.spillway.config.AppConfig;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;

/**
 * Relays committed outbox rows from every shard to Kafka. Deployed {@code outbox.instances} times; the
 * relay itself arrives with the real-time pipeline.
 */
public final class OutboxVerticle extends VerticleBase {
  private final AppConfig config;

  public OutboxVerticle(AppConfig config) {
    this.config = config;
  }

  @Override
  public Future<?> start() {
    return Future.succeededFuture(config.stream().outboxInstances());
  }
}
