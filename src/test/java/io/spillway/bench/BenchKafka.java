package io.spillway.bench;

import io.spillway.testkit.EmbeddedKafka;

import java.nio.file.Files;
import java.nio.file.Path;

/** A Kafka broker in a JVM of its own for {@code bench/ws.sh}, so the server's heap numbers exclude it. */
public final class BenchKafka {
  private BenchKafka() {}

  public static void main(String[] args) throws Exception {
    int port = Integer.parseInt(args.length > 0 ? args[0] : "9092");
    Path dir = Files.createTempDirectory("spillway-bench-kafka-");
    EmbeddedKafka kafka = EmbeddedKafka.start(dir, port, true);
    Runtime.getRuntime().addShutdownHook(new Thread(kafka::close, "bench-kafka-stop"));
    System.out.println("kafka ready on " + kafka.bootstrapServers());
    Thread.currentThread().join();
  }
}
