package io.spillway.config;

/**
 * Kafka. An empty {@code bootstrapServers} in dev mode starts a broker inside the JVM. The topic is created
 * with {@code min.insync.replicas = minInSyncReplicas} (null: {@code replicationFactor - 1}, at least 1), so
 * with {@code acks=all} an event is acknowledged only once a second replica has it, and with unclean leader
 * election off.
 */
public record KafkaConfig(String bootstrapServers, String topic, int partitions, short replicationFactor,
                          int minInSyncReplicas) {
  public KafkaConfig {
    Check.present("kafka.bootstrapServers", bootstrapServers);
    Check.nonBlank("kafka.topic", topic);
    Check.range("kafka.partitions", partitions, 1, 1024);
    Check.range("kafka.replicationFactor", replicationFactor, 1, 16);
    Check.range("kafka.minInSyncReplicas", minInSyncReplicas, 1, 16);
    if (minInSyncReplicas > replicationFactor) {
      throw new ConfigException("kafka.minInSyncReplicas", minInSyncReplicas + " is above kafka.replicationFactor ("
          + replicationFactor + "): no write could ever be acknowledged");
    }
  }

  static KafkaConfig from(ConfigReader r) {
    int replication = r.integer("replicationFactor");
    int minIsr = r.has("minInSyncReplicas") ? r.integer("minInSyncReplicas") : Math.max(1, replication - 1);
    return new KafkaConfig(r.string("bootstrapServers"), r.string("topic"), r.integer("partitions"),
        (short) Check.range("kafka.replicationFactor", replication, 1, 16), minIsr);
  }
}
