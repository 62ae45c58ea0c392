package io.spillway.config;

/** Kafka. An empty {@code bootstrapServers} in dev mode starts a broker inside the JVM. */
public record KafkaConfig(String bootstrapServers, String topic, int partitions, short replicationFactor) {
  static KafkaConfig from(ConfigReader r) {
    return new KafkaConfig(
        r.string("bootstrapServers", ""),
        r.requiredString("topic"),
        r.integer("partitions", 6, 1, 1024),
        (short) r.integer("replicationFactor", 1, 1, 16));
  }

  public KafkaConfig withBootstrapServers(String servers) {
    return new KafkaConfig(servers, topic, partitions, replicationFactor);
  }
}
