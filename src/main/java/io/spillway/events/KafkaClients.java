package io.spillway.events;

import io.vertx.core.Vertx;
import io.vertx.core.tracing.TracingPolicy;
import io.vertx.kafka.client.common.KafkaClientOptions;
import io.vertx.kafka.client.consumer.KafkaConsumer;
import io.vertx.kafka.client.producer.KafkaProducer;

import java.util.HashMap;
import java.util.Map;

/**
 * The relay's producer and the consumers, made from {@link KafkaSettings} without the Vert.x Kafka client's
 * own spans: the relay and the consumers record theirs ({@code observe.EventSpans}) and the relay writes the
 * record's {@code traceparent} header itself, so a record carries one header and one span per hop. Made
 * off the event loop (the clients resolve and connect as they are built).
 */
public final class KafkaClients {
  private KafkaClients() {}

  public static KafkaProducer<String, String> producer(Vertx vertx, Map<String, String> settings) {
    Map<String, Object> config = new HashMap<>(settings);
    return KafkaProducer.create(vertx, new org.apache.kafka.clients.producer.KafkaProducer<String, String>(config),
        untraced(config));
  }

  public static KafkaConsumer<String, String> consumer(Vertx vertx, Map<String, String> settings) {
    return KafkaConsumer.create(vertx, untraced(new HashMap<>(settings)));
  }

  private static KafkaClientOptions untraced(Map<String, Object> config) {
    return new KafkaClientOptions().setConfig(config).setTracingPolicy(TracingPolicy.IGNORE);
  }
}
