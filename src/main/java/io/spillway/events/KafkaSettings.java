package io.spillway.events;

import io.spillway.config.KafkaConfig;

import java.util.HashMap;
import java.util.Map;

/** Kafka client properties derived from config; timeouts are short so a dead broker fails checks fast. */
public final class KafkaSettings {
  private KafkaSettings() {}

  /** What every client shares: where the cluster is, who it is, and a quick retry after a lost broker. */
  private static Map<String, String> common(KafkaConfig k, String clientId) {
    Map<String, String> m = new HashMap<>();
    m.put("bootstrap.servers", k.bootstrapServers());
    m.put("client.id", clientId);
    m.put("reconnect.backoff.max.ms", "1000");
    return m;
  }

  public static Map<String, String> admin(KafkaConfig k) {
    Map<String, String> m = common(k, "spillway-admin");
    m.put("request.timeout.ms", "2000");
    m.put("default.api.timeout.ms", "3000");
    return m;
  }

  /**
   * The outbox relay's producer. Idempotent with {@code acks=all}: a retried send is written once and in
   * order, and an ack means every in-sync replica has the event, so deleting the outbox row is safe. The
   * delivery timeout bounds how long a relay transaction stays open while the broker is away.
   */
  public static Map<String, String> producer(KafkaConfig k) {
    Map<String, String> m = common(k, "spillway-outbox");
    m.put("enable.idempotence", "true");
    m.put("acks", "all");
    m.put("max.in.flight.requests.per.connection", "5");
    m.put("linger.ms", "1");
    m.put("request.timeout.ms", "5000");
    m.put("delivery.timeout.ms", "10000");
    m.put("max.block.ms", "5000");
    m.put("key.serializer", "org.apache.kafka.common.serialization.StringSerializer");
    m.put("value.serializer", "org.apache.kafka.common.serialization.StringSerializer");
    return m;
  }

  /**
   * The push consumer. The group is unique per node so every node sees every event. It starts at the
   * latest offset (history in Redis covers what a client missed) and commits its position, so a rebalance
   * after a broker restart resumes where it was instead of jumping to the end.
   */
  public static Map<String, String> consumer(KafkaConfig k, String nodeId) {
    Map<String, String> m = common(k, "spillway-stream-" + nodeId);
    m.put("group.id", "spillway-stream-" + nodeId);
    m.put("auto.offset.reset", "latest");
    m.put("enable.auto.commit", "true");
    m.put("auto.commit.interval.ms", "1000");
    m.put("max.poll.records", "500");
    m.put("session.timeout.ms", "30000");
    m.put("heartbeat.interval.ms", "3000");
    m.put("request.timeout.ms", "5000");
    m.put("default.api.timeout.ms", "5000");
    m.put("key.deserializer", "org.apache.kafka.common.serialization.StringDeserializer");
    m.put("value.deserializer", "org.apache.kafka.common.serialization.StringDeserializer");
    return m;
  }

  /**
   * The feed's fan-out consumer: one group for the whole cluster ({@code spillway-feed}), so each event is
   * fanned out once, whichever node takes its partition. Offsets are committed by the fan-out after the
   * events before them were handled (at least once; the fan-out is idempotent). A new group starts at the
   * latest offset: timelines that miss older posts are rebuilt when read.
   */
  public static Map<String, String> fanOutConsumer(KafkaConfig k, String nodeId) {
    Map<String, String> m = consumer(k, nodeId);
    m.put("client.id", "spillway-feed-" + nodeId);
    m.put("group.id", "spillway-feed");
    m.put("enable.auto.commit", "false");
    m.remove("auto.commit.interval.ms");
    return m;
  }
}
