package io.spillway.outbox;

import io.micrometer.core.instrument.MeterRegistry;
import io.spillway.config.AppConfig;
import io.spillway.events.KafkaClients;
import io.spillway.events.KafkaSettings;
import io.spillway.events.OutboxCommits;
import io.spillway.events.Topics;
import io.spillway.config.ShardConfig;
import io.spillway.data.ShardPools;
import io.spillway.observe.EventSpans;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.kafka.admin.KafkaAdminClient;
import io.vertx.kafka.client.producer.KafkaProducer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;

/**
 * Relays committed outbox rows from every shard to Kafka: one {@link OutboxRelay} and one {@link
 * OutboxListener} per shard, woken in-process by this node's writes ({@link OutboxCommits}), by another
 * node's coalesced NOTIFY, by their own progress-driven polls and, at the latest, every {@code
 * outbox.pollIntervalMs}. Any number of nodes may run it; the relays coordinate through the shard database.
 */
public final class OutboxVerticle extends VerticleBase {
  private static final Logger LOG = LoggerFactory.getLogger(OutboxVerticle.class);

  private final AppConfig config;
  private final List<OutboxRelay> relays = new ArrayList<>();
  private final List<OutboxListener> listeners = new ArrayList<>();
  private KafkaProducer<String, String> producer;
  private KafkaAdminClient admin;
  private boolean topicReady;
  private boolean ensuring;
  private boolean warnedTopic;

  private final MeterRegistry registry;
  private final EventSpans spans;

  /** {@code registry} (may be null) counts the rows moved to the dead-letter table. */
  public OutboxVerticle(AppConfig config, MeterRegistry registry, EventSpans spans) {
    this.config = config;
    this.registry = registry;
    this.spans = spans;
  }

  @Override
  public Future<?> start() {
    return vertx.executeBlocking(() -> {
          admin = KafkaAdminClient.create(vertx, KafkaSettings.admin(config.kafka()));
          return KafkaClients.producer(vertx, KafkaSettings.producer(config.kafka()));
        })
        .onSuccess(p -> {
          producer = p;
          // Each send's own future tells the relay what became of its record (and a refused record is
          // dead-lettered there); the client reports the same failures here too, where they are only noise.
          producer.exceptionHandler(err -> LOG.debug("kafka producer: {}", String.valueOf(err)));
          for (int i = 0; i < config.data().shards().size(); i++) {
            ShardConfig shard = config.data().shards().get(i);
            OutboxRelay relay = new OutboxRelay(vertx, ShardPools.connectOptions(shard), producer, shard.describe(),
                config.stream().outboxBatchSize(), config.stream().outboxMinPollMs(), config.stream().outboxPollMs(),
                config.stream().outboxNotifyMinGapMs(), registry, spans);
            relays.add(relay);
            listeners.add(new OutboxListener(vertx, ShardPools.connectOptions(shard), shard.describe(),
                () -> wake(relay), Math.min(config.stream().outboxPollMs(), 2000)));
          }
          listeners.forEach(OutboxListener::start);
          vertx.eventBus().localConsumer(OutboxCommits.ADDRESS, msg -> committed());
          vertx.setPeriodic(config.stream().outboxPollMs(), t -> poll());
        })
        // Kafka may be down at start: posts must still succeed, and the rows wait in the outbox.
        .compose(v -> ensureTopic().otherwiseEmpty());
  }

  private void poll() {
    if (topicReady) {
      relays.forEach(OutboxRelay::wake);
    } else if (!ensuring) {
      ensureTopic();
    }
  }

  /**
   * Publishing before the topic exists would let a broker with auto-create make it with its default
   * partition count, so the relays wait for it. One check at a time, and one warning until it succeeds.
   */
  private Future<Void> ensureTopic() {
    ensuring = true;
    return Topics.ensure(admin, config.kafka())
        .onComplete(ar -> ensuring = false)
        .onSuccess(v -> {
          topicReady = true;
          relays.forEach(OutboxRelay::wake);
        })
        .onFailure(err -> {
          if (!warnedTopic) {
            warnedTopic = true;
            LOG.warn("cannot ensure Kafka topic {} yet, outbox rows wait: {}", config.kafka().topic(), err.getMessage());
          }
        });
  }

  /** This node committed writes with outbox rows: its own relays drain now, other nodes' are told. */
  private void committed() {
    if (!topicReady) {
      return;
    }
    for (OutboxRelay relay : relays) {
      if (relay.holdsLock()) {
        relay.wake();
      } else {
        relay.notifyHolder();
      }
    }
  }

  private void wake(OutboxRelay relay) {
    if (topicReady) {
      relay.wake();
    }
  }

  @Override
  public Future<?> stop() {
    listeners.forEach(OutboxListener::stop);
    Future<?> drained = Future.join(relays.stream().map(OutboxRelay::stop).toList());
    return drained
        .eventually(() -> producer == null ? Future.succeededFuture() : producer.close(2000))
        .eventually(() -> admin == null ? Future.succeededFuture() : admin.close(1000));
  }
}
