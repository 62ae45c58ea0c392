package io.spillway.stream;

import io.spillway.config.KafkaConfig;

import java.util.HashMap;
import java.util.Map;

/** Kafka client properties derived from config; timeouts are short so a dead broker fails checks fast. */
final class KafkaSettings {
  private KafkaSettings() {}

  static Map<String, String> admin(KafkaConfig k) {
    Map<String, String> m = new HashMap<>();
    m.put("bootstrap.servers", k.bootstrapServers());
    m.put("client.id", "spillway-admin");
    m.put("request.timeout.ms", "2000");
    m.put("default.api.timeout.ms", "3000");
    m.put("reconnect.backoff.max.ms", "1000");
    return m;
  }
}
