package io.spillway.testkit;

import io.spillway.Spillway;
import io.spillway.config.AppConfig;
import io.spillway.config.ConfigSource;
import io.spillway.config.ShardConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * Dev mode ({@code mvn -q test-compile exec:java}): the server on the local defaults, with the same service
 * starters the tests use: the shard databases are created when missing, and a real Kafka broker is started
 * inside the JVM when {@code kafka.bootstrapServers} is empty.
 */
public final class DevServer {
  private static final Logger LOG = LoggerFactory.getLogger(DevServer.class);

  private DevServer() {}

  public static void main(String[] args) {
    Map<String, String> env = new HashMap<>(System.getenv());
    AppConfig config = Spillway.loadOrExit(args, env);
    LocalPostgres.ensure(config.data().shards().stream()
        .filter(s -> s.host().equals("127.0.0.1") || s.host().equals("localhost"))
        .map(ShardConfig::database).toList());
    if (config.kafka().bootstrapServers().isBlank()) {
      long t0 = System.nanoTime();
      EmbeddedKafka kafka = EmbeddedKafka.start(Path.of("target", "dev-kafka"), 9092, false);
      Runtime.getRuntime().addShutdownHook(new Thread(kafka::close, "dev-kafka-stop"));
      LOG.info("dev mode: Kafka broker started in this JVM on {} in {} ms", kafka.bootstrapServers(),
          (System.nanoTime() - t0) / 1_000_000);
      // The broker's address is one more environment variable: the top layer of the config, read as usual.
      env.put(ConfigSource.envName("kafka.bootstrapServers"), kafka.bootstrapServers());
      config = Spillway.loadOrExit(args, env);
    }
    Spillway.run(config, Spillway.seedCount(args), args);
  }
}
