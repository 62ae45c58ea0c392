package io.spillway.testkit;

import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.metadata.storage.Formatter;
import org.apache.kafka.server.common.MetadataVersion;

import java.io.IOException;
import java.io.PrintStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * A real Apache Kafka broker (KRaft, combined broker and controller) inside this JVM, for tests and dev mode.
 * Never part of the production jar.
 */
public final class EmbeddedKafka implements AutoCloseable {
  private static EmbeddedKafka shared;

  private final KafkaRaftServer server;
  private final String bootstrapServers;
  private final Path dir;
  private final boolean deleteOnClose;

  private EmbeddedKafka(KafkaRaftServer server, String bootstrapServers, Path dir, boolean deleteOnClose) {
    this.server = server;
    this.bootstrapServers = bootstrapServers;
    this.dir = dir;
    this.deleteOnClose = deleteOnClose;
  }

  /** One broker for the whole test JVM, started on first use and stopped when the JVM exits. */
  public static synchronized EmbeddedKafka shared() {
    if (shared == null) {
      try {
        Path dir = Files.createTempDirectory("spillway-kafka-");
        shared = start(dir, Ports.free(), true);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      Runtime.getRuntime().addShutdownHook(new Thread(shared::close, "embedded-kafka-stop"));
    }
    return shared;
  }

  /**
   * Starts a broker keeping its data in {@code dir}. The storage is formatted only the first time: a
   * directory that already holds {@code meta.properties} keeps its cluster id, so a restart works.
   */
  public static EmbeddedKafka start(Path dir, int port, boolean deleteOnClose) {
    int controllerPort = Ports.free();
    String logDir = dir.resolve("log").toAbsolutePath().toString();
    Map<String, Object> props = new HashMap<>();
    props.put("process.roles", "broker,controller");
    props.put("node.id", "1");
    props.put("controller.quorum.voters", "1@127.0.0.1:" + controllerPort);
    props.put("listeners", "PLAINTEXT://127.0.0.1:" + port + ",CONTROLLER://127.0.0.1:" + controllerPort);
    props.put("advertised.listeners", "PLAINTEXT://127.0.0.1:" + port);
    props.put("controller.listener.names", "CONTROLLER");
    props.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
    props.put("inter.broker.listener.name", "PLAINTEXT");
    props.put("log.dirs", logDir);
    props.put("num.partitions", "3");
    props.put("offsets.topic.replication.factor", "1");
    props.put("offsets.topic.num.partitions", "3");
    props.put("transaction.state.log.replication.factor", "1");
    props.put("transaction.state.log.min.isr", "1");
    props.put("group.initial.rebalance.delay.ms", "0");
    props.put("auto.create.topics.enable", "true");
    // The 128 MiB default on a small heap ends in an OutOfMemoryError, after which Kafka halts the JVM.
    props.put("log.cleaner.dedupe.buffer.size", String.valueOf(2 * 1024 * 1024));
    props.put("log.cleaner.threads", "1");
    props.put("num.network.threads", "2");
    props.put("num.io.threads", "2");
    props.put("background.threads", "2");
    props.put("log.flush.interval.messages", String.valueOf(Long.MAX_VALUE));
    KafkaConfig config = new KafkaConfig(props, false);
    try {
      if (!Files.exists(Path.of(logDir, "meta.properties"))) {
        Files.createDirectories(Path.of(logDir));
        new Formatter()
            .setPrintStream(new PrintStream(OutputStream.nullOutputStream()))
            .setNodeId(1)
            .setClusterId(Uuid.randomUuid().toString())
            .setDirectories(List.of(logDir))
            .setMetadataLogDirectory(logDir)
            .setControllerListenerName("CONTROLLER")
            .setReleaseVersion(MetadataVersion.LATEST_PRODUCTION)
            .run();
      }
    } catch (Exception e) {
      throw new IllegalStateException("cannot format Kafka storage in " + logDir, e);
    }
    KafkaRaftServer server = new KafkaRaftServer(config, Time.SYSTEM);
    server.startup();
    return new EmbeddedKafka(server, "127.0.0.1:" + port, dir, deleteOnClose);
  }

  public String bootstrapServers() {
    return bootstrapServers;
  }

  @Override
  public synchronized void close() {
    try {
      server.shutdown();
      server.awaitShutdown();
    } finally {
      if (deleteOnClose) {
        deleteTree(dir);
      }
    }
  }

  static void deleteTree(Path dir) {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(dir)) {
      paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException ignored) {
      // Best effort: a temp dir left behind is harmless.
    }
  }
}
