package io.spillway.data;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Vertx;

import java.util.concurrent.atomic.AtomicLong;

/**
 * {@code spillway_outbox_backlog{shard}}: outbox rows not yet relayed to Kafka, per shard, sampled
 * periodically. A growing backlog means the relay or Kafka is behind.
 */
final class OutboxBacklog {
  private final ShardPools pools;
  private final AtomicLong[] backlog;

  OutboxBacklog(ShardPools pools, MeterRegistry registry) {
    this.pools = pools;
    this.backlog = new AtomicLong[pools.size()];
    for (int i = 0; i < pools.size(); i++) {
      backlog[i] = new AtomicLong();
      // Several DataVerticle instances may register: Micrometer keeps the first gauge of a name and tags.
      Gauge.builder("spillway_outbox_backlog", backlog[i], AtomicLong::get)
          .description("Outbox rows waiting to be published to Kafka")
          .tag("shard", String.valueOf(i))
          .register(registry);
    }
  }

  void watch(Vertx vertx, long periodMs) {
    vertx.setPeriodic(0, periodMs, t -> sample());
  }

  private void sample() {
    for (int i = 0; i < pools.size(); i++) {
      AtomicLong target = backlog[i];
      pools.primary(i).query("SELECT count(*) FROM outbox").execute()
          .onSuccess(rows -> target.set(rows.iterator().next().getLong(0)));
    }
  }
}
