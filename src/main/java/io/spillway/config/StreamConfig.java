package io.spillway.config;

/** Real-time push: the Kafka consumer verticle and the outbox relay. */
public record StreamConfig(int instances, int outboxInstances, long outboxPollMs) {
  static StreamConfig from(ConfigReader stream, ConfigReader outbox) {
    return new StreamConfig(
        stream.integer("instances", 1, 0, 64),
        outbox.integer("instances", 1, 0, 64),
        outbox.number("pollIntervalMs", 1000, 10, 600_000));
  }
}
