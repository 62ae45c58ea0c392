package io.spillway.push;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.kafka.client.common.TopicPartition;
import io.vertx.kafka.client.consumer.KafkaConsumer;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * {@code spillway_kafka_consumer_lag}: events in the topic that this node has not consumed yet (end offset
 * minus position, summed over its partitions), sampled periodically. A growing lag means live push is behind.
 */
final class ConsumerLag {
  private final AtomicLong lag = new AtomicLong();
  private final KafkaConsumer<?, ?> consumer;

  ConsumerLag(KafkaConsumer<?, ?> consumer, MeterRegistry registry) {
    this.consumer = consumer;
    Gauge.builder("spillway_kafka_consumer_lag", lag, AtomicLong::get)
        .description("Events in Kafka not yet consumed by this node")
        .register(registry);
  }

  long watch(Vertx vertx, long periodMs) {
    return vertx.setPeriodic(periodMs, periodMs, t -> sample());
  }

  private void sample() {
    consumer.assignment().compose(partitions -> {
      if (partitions.isEmpty()) {
        return Future.succeededFuture(0L);
      }
      List<Future<Long>> positions = new ArrayList<>();
      for (TopicPartition tp : partitions) {
        positions.add(consumer.position(tp));
      }
      return consumer.endOffsets(partitions).compose(ends -> Future.all(positions).map(v -> {
        long total = 0;
        int i = 0;
        for (TopicPartition tp : partitions) {
          total += Math.max(0, ends.getOrDefault(tp, 0L) - positions.get(i++).result());
        }
        return total;
      }));
    }).onSuccess(lag::set);
  }
}
