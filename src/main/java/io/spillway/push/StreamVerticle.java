package io.spillway.push;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.opentelemetry.api.trace.Span;
import io.spillway.web.LocalCodec;
import io.spillway.config.AppConfig;
import io.spillway.events.Channel;
import io.spillway.events.CommittedEvent;
import io.spillway.events.EventType;
import io.spillway.events.KafkaClients;
import io.spillway.events.KafkaSettings;
import io.spillway.events.Topics;
import io.spillway.observe.EventSpans;
import io.spillway.observe.HealthChecks;
import io.spillway.observe.HealthReport;
import io.spillway.observe.ThrottledLog;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import io.vertx.kafka.admin.KafkaAdminClient;
import io.vertx.kafka.client.consumer.KafkaConsumer;
import io.vertx.kafka.client.consumer.KafkaConsumerRecord;
import io.vertx.redis.client.Redis;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Consumes the events topic and, for each event: appends it to the channel's history in Redis (written once
 * across the cluster, see {@link ChannelHistory}), then publishes it once on the local event bus, where every
 * HttpVerticle pushes it to its own subscribers. Owns the Kafka health check.
 *
 * <p>An event is published only after its history write finished, and in Kafka order: a client that
 * subscribes with {@code since} reads history after it started buffering live events, so every event is
 * either in what it reads or in what it buffers.
 */
public final class StreamVerticle extends VerticleBase {
  public static final String HEALTH_OWNER = "kafka";
  /** Local-only address of {@link StreamEvent}s. */
  public static final String EVENTS_ADDRESS = "stream.events";
  private static final Logger LOG = LoggerFactory.getLogger(StreamVerticle.class);
  /** A broker that went away fails every poll: one line per 10 s, with the count of the others. */
  private static final ThrottledLog CONSUMER_LOG = new ThrottledLog(10_000, System::currentTimeMillis);
  private static final DeliveryOptions LOCAL = new DeliveryOptions().setCodecName(LocalCodec.NAME).setLocalOnly(true);
  /** Events waiting for their history write before the consumer is paused. */
  private static final int MAX_IN_FLIGHT = 2000;
  private static final long ASSIGNMENT_WAIT_MS = 15_000;

  private final AppConfig config;
  private final RecentEventIds recent = new RecentEventIds(16_384);
  private KafkaAdminClient admin;
  private KafkaConsumer<String, String> consumer;
  private OrderedRedis redis;
  private ChannelHistory history;
  private Future<Void> tail = Future.succeededFuture();
  private int inFlight;
  private boolean paused;
  private boolean historyFailing;

  private final MeterRegistry registry;
  private Timer handover;
  private final Redis nodeRedis;
  private final EventSpans spans;

  /**
   * {@code redis} is the node's history client; history writes take one ordered connection of it. Each event
   * is one span in {@code spans}, from its record to its publication to the hubs.
   */
  public StreamVerticle(AppConfig config, MeterRegistry registry, Redis redis, EventSpans spans) {
    this.config = config;
    this.registry = registry;
    this.nodeRedis = redis;
    this.spans = spans;
  }

  @Override
  public Future<?> start() {
    LocalCodec.register(vertx);
    handover = registry == null ? null : Timer.builder("spillway_push_delay")
        .description("From an event's commit to its hand-over to this node's WebSocket hubs: the outbox, Kafka, "
            + "this node's fetch and the history write")
        .publishPercentileHistogram().register(registry);
    redis = new OrderedRedis(nodeRedis, List.of(ChannelHistory.APPEND), config.redis().timeoutMs());
    history = new ChannelHistory(redis::send, config.stream().historyMaxEvents(),
        config.stream().historyMaxAgeSeconds());
    vertx.eventBus().consumer(HealthChecks.ADDRESS_PREFIX + HEALTH_OWNER,
        msg -> checkKafka().onSuccess(report -> msg.reply(HealthChecks.toJson(List.of(report)))));
    String nodeId = NodeId.of(vertx);
    return vertx.executeBlocking(() -> {
          admin = KafkaAdminClient.create(vertx, KafkaSettings.admin(config.kafka()));
          return KafkaClients.consumer(vertx, KafkaSettings.consumer(config.kafka(), nodeId));
        })
        .compose(c -> {
          consumer = c;
          new ConsumerLag(c, registry).watch(vertx, 5_000);
          return Topics.ensure(admin, config.kafka())
              .map(true)
              .otherwise(err -> {
                LOG.warn("cannot ensure Kafka topic {}: {}; consuming anyway", config.kafka().topic(), err.getMessage());
                return false;
              });
        })
        .compose(this::subscribe);
  }

  /**
   * Subscribes and, when Kafka answers, waits until every assigned partition has a position: from then on
   * nothing published is missed, so the node only reports started when push is live.
   */
  private Future<Void> subscribe(boolean kafkaUp) {
    Promise<Void> live = Promise.promise();
    consumer.partitionsAssignedHandler(partitions -> Future.join(partitions.stream().map(consumer::position).toList())
        .onComplete(ar -> live.tryComplete()));
    consumer.exceptionHandler(CONSUMER_LOG.warnings(LOG, "kafka consumer"));
    consumer.handler(this::onRecord);
    Future<Void> subscribed = consumer.subscribe(config.kafka().topic());
    if (!kafkaUp) {
      return subscribed;
    }
    return subscribed.compose(v -> live.future().timeout(ASSIGNMENT_WAIT_MS, TimeUnit.MILLISECONDS)
        .recover(err -> {
          LOG.warn("no Kafka partitions assigned within {} ms; push starts when they are", ASSIGNMENT_WAIT_MS);
          return Future.succeededFuture();
        }));
  }

  private void onRecord(KafkaConsumerRecord<String, String> record) {
    String channel = record.key();
    String json = record.value();
    if (channel == null || json == null) {
      return;
    }
    String id;
    JsonObject parsed;
    try {
      parsed = new JsonObject(json);
      id = parsed.getString("id");
    } catch (DecodeException | ClassCastException e) {
      LOG.warn("skipping an event that is not a JSON object at {}-{}@{}", record.topic(), record.partition(),
          record.offset());
      return;
    }
    if (id != null && !recent.firstTime(id)) {
      return; // Published twice by the outbox relay (at least once): the first copy was delivered.
    }
    Span span = spans.consuming("stream consume", record.topic(), record.record().headers(), parsed);
    announce(channel, parsed);
    StreamEvent event = StreamEvent.of(channel, record.offset(), id, json, span.getSpanContext());
    Future<Void> stored = history.append(channel, record.offset(), json).<Void>map(written -> {
      historyFailing = false;
      return null;
    }).otherwise(err -> {
      if (!historyFailing) {
        historyFailing = true;
        LOG.warn("cannot write channel history ({}); live push goes on, resume may reset", err.getMessage());
      }
      return null;
    });
    if (++inFlight >= MAX_IN_FLIGHT && !paused) {
      paused = true;
      consumer.pause();
    }
    Instant committed = handover == null ? null : committedAt(parsed);
    tail = tail.compose(v -> stored).andThen(ar -> {
      vertx.eventBus().publish(EVENTS_ADDRESS, event, LOCAL);
      if (committed != null) {
        handover.record(Duration.between(committed, Instant.now()));
      }
      span.end();
      if (--inFlight <= MAX_IN_FLIGHT / 4 && paused) {
        paused = false;
        consumer.resume();
      }
    });
  }

  /** The event's {@code time} (stamped in the writing transaction), or null when it has none readable. */
  private static Instant committedAt(JsonObject event) {
    try {
      return event.getValue("time") instanceof String t ? Instant.parse(t) : null;
    } catch (DateTimeParseException e) {
      return null;
    }
  }

  /** Tells the node's caches first, before the push: a client told of a change must read it. */
  private void announce(String channel, JsonObject event) {
    Channel parsed = Channel.parse(channel);
    EventType type = event.getValue("type") instanceof String t ? EventType.of(t) : null;
    Object data = event.getValue("data");
    if (parsed != null && type != null && data instanceof JsonObject d) {
      vertx.eventBus().publish(CommittedEvent.ADDRESS, new CommittedEvent(parsed, type, d), LOCAL);
    }
  }

  private Future<HealthReport> checkKafka() {
    return admin.describeCluster()
        .map(cluster -> cluster.getNodes().isEmpty()
            ? HealthReport.down("kafka", new IllegalStateException("no brokers"))
            : HealthReport.up("kafka"))
        .otherwise(err -> HealthReport.down("kafka", err));
  }

  @Override
  public Future<?> stop() {
    Future<Void> consumerClosed = consumer == null ? Future.succeededFuture() : consumer.close();
    return consumerClosed
        .eventually(() -> admin == null ? Future.succeededFuture() : admin.close(1000))
        .eventually(() -> redis == null ? Future.succeededFuture() : redis.close());
  }
}
