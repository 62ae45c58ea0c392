package io.spillway.config;

/** Kafka. An empty {@code bootstrapServers} in dev mode starts a broker inside the JVM. */
public record KafkaConfig(String bootstrapServers, String topic, int partitions, short replicationFactor) {
  public KafkaConfig {
    Check.present("kafka.bootstrapServers", bootstrapServers);
    Check.nonBlank("kafka.topic", topic);
    Check.range("kafka.partitions", partitions, 1, 1024);
    Check.range("kafka.replicationFactor", replicationFactor, 1, 16);
  }

  static KafkaConfig from(ConfigReader r) {
    int replication = r.integer("replicationFactor");
    return new KafkaConfig(r.string("bootstrapServers"), r.string("topic"), r.integer("partitions"),
        (short) Check.range("kafka.replicationFactor", replication, 1, 16));
  }
}
