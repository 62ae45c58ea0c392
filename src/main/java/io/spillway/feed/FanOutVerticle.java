package io.spillway.feed;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.opentelemetry.api.trace.Span;
import io.spillway.config.AppConfig;
import io.spillway.data.DataClient;
import io.spillway.events.KafkaClients;
import io.spillway.events.KafkaSettings;
import io.spillway.events.Topics;
import io.spillway.observe.EventSpans;
import io.spillway.observe.ThrottledLog;
import io.vertx.kafka.admin.KafkaAdminClient;
import io.spillway.web.ProblemException;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.kafka.client.common.TopicPartition;
import io.vertx.kafka.client.consumer.KafkaConsumer;
import io.vertx.kafka.client.consumer.KafkaConsumerRecord;
import io.vertx.kafka.client.consumer.OffsetAndMetadata;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * Consumes the events topic in the cluster's one fan-out group and hands each post, delete, follow and
 * unfollow to the data layer ({@link FanOutEvents}). Events of one partition are handled one after another,
 * in order (a post's delete never overtakes its fan-out); partitions run side by side. A partition's offset
 * is committed once every event before it was handled, so a crash or a rebalance hands the rest to another
 * node, which may repeat a few events: the fan-out is idempotent. A failure the data layer calls passing
 * (Redis or a shard unavailable) is retried with back-off, holding its partition; any other is logged and
 * skipped (the timeline is rebuilt from the posts tables when it is next missing, or on demand).
 */
public final class FanOutVerticle extends VerticleBase {
  private static final Logger LOG = LoggerFactory.getLogger(FanOutVerticle.class);
  /** How long a stop waits for the fan-outs in progress. */
  private static final long STOP_WAIT_MS = 5_000;
  /** A broker that went away fails every poll: one line per 10 s, with the count of the others. */
  private static final ThrottledLog CONSUMER_LOG = new ThrottledLog(10_000, System::currentTimeMillis);
  private static final int MAX_IN_FLIGHT = 5_000;
  private static final long ASSIGNMENT_WAIT_MS = 15_000;
  private static final long COMMIT_EVERY_MS = 1_000;
  private static final long MAX_BACKOFF_MS = 5_000;

  private final AppConfig config;
  private final MeterRegistry registry;
  private final Map<Integer, Future<Void>> tails = new HashMap<>();
  private final Map<TopicPartition, OffsetAndMetadata> handled = new HashMap<>();
  private KafkaConsumer<String, String> consumer;
  private DataClient data;
  private int inFlight;
  private boolean paused;
  private boolean stopped;
  private long skippedLogAt;
  private long commitTimer = -1;
  private boolean closing;
  private Timer lag;
  private Counter timelinesVisited;
  private final EventSpans spans;

  /** Each event with fan-out work is one span in {@code spans}, from its record to its fan-out's end. */
  public FanOutVerticle(AppConfig config, MeterRegistry registry, EventSpans spans) {
    this.config = config;
    this.registry = registry;
    this.spans = spans;
  }

  @Override
  public Future<?> start() {
    data = new DataClient(vertx, registry);
    lag = Timer.builder("spillway_feed_fanout_lag")
        .description("From a post's write to its fan-out into every follower's timeline (or a delete's or a "
            + "follow's, applied)")
        .publishPercentileHistogram().register(registry);
    timelinesVisited = Counter.builder("spillway_feed_fanout_timelines")
        .description("Follower timelines the fan-out visited (written when they exist)").register(registry);
    String id = UUID.randomUUID().toString().substring(0, 8);
    KafkaAdminClient[] admin = new KafkaAdminClient[1];
    return vertx.executeBlocking(() -> {
          admin[0] = KafkaAdminClient.create(vertx, KafkaSettings.admin(config.kafka()));
          return KafkaClients.consumer(vertx, KafkaSettings.fanOutConsumer(config.kafka(), id));
        })
        .compose(c -> {
          consumer = c;
          // Kafka down at start: the node starts without waiting for partitions, and fans out once it has them.
          return Topics.ensure(admin[0], config.kafka()).map(true).otherwise(false)
              .eventually(() -> admin[0].close(1000));
        })
        .compose(kafkaUp -> {
          Promise<Void> live = Promise.promise();
          consumer.partitionsAssignedHandler(partitions -> Future.join(partitions.stream().map(consumer::position)
              .toList()).onComplete(ar -> live.tryComplete()));
          consumer.partitionsRevokedHandler(partitions -> {
            if (!closing) {
              commit();
            }
          });
          consumer.exceptionHandler(CONSUMER_LOG.warnings(LOG, "feed fan-out consumer"));
          consumer.handler(this::onRecord);
          commitTimer = vertx.setPeriodic(COMMIT_EVERY_MS, t -> commit());
          Future<Void> subscribed = consumer.subscribe(config.kafka().topic());
          if (!kafkaUp) {
            return subscribed;
          }
          return subscribed.compose(v -> live.future().timeout(ASSIGNMENT_WAIT_MS, TimeUnit.MILLISECONDS))
              .recover(err -> {
                LOG.warn("the feed fan-out has no Kafka partitions yet ({}); it starts when it gets them",
                    err.getMessage());
                return Future.succeededFuture();
              });
        });
  }

  private void onRecord(KafkaConsumerRecord<String, String> record) {
    TopicPartition partition = new TopicPartition(record.topic(), record.partition());
    long next = record.offset() + 1;
    FanOutEvents.Event event = FanOutEvents.parse(record.value());
    if (++inFlight >= MAX_IN_FLIGHT && !paused) {
      paused = true;
      consumer.pause();
    }
    Future<Void> tail = tails.getOrDefault(record.partition(), Future.succeededFuture());
    Future<Void> done = tail.compose(v -> event == null ? Future.succeededFuture() : handle(event, 0));
    Span span = event == null ? Span.getInvalid()
        : spans.consuming("feed consume", record.topic(), record.record().headers(), null);
    if (span.isRecording()) {
      done.onComplete(ar -> span.end());
    }
    tails.put(record.partition(), done.andThen(ar -> {
      handled.put(partition, new OffsetAndMetadata(next, ""));
      if (--inFlight <= MAX_IN_FLIGHT / 4 && paused) {
        paused = false;
        consumer.resume();
      }
    }));
  }

  private Future<Void> handle(FanOutEvents.Event event, int attempt) {
    return data.call(event.request()).<Void>map(result -> {
      if (result instanceof Integer visited && visited > 0) {
        timelinesVisited.increment(visited);
      }
      if (event.time() != null) {
        lag.record(Duration.between(event.time(), Instant.now()));
      }
      return null;
    }).recover(err -> {
      if (!stopped && passing(err)) {
        long backoff = Math.min(MAX_BACKOFF_MS, 50L << Math.min(attempt, 10));
        return vertx.timer(backoff).compose(t -> handle(event, attempt + 1));
      }
      long now = System.currentTimeMillis();
      if (now - skippedLogAt > 10_000) {
        skippedLogAt = now;
        LOG.warn("feed fan-out skipped an event ({}): {}", event.request().getClass().getSimpleName(),
            String.valueOf(err));
      }
      return Future.succeededFuture();
    });
  }

  private static boolean passing(Throwable err) {
    return err instanceof ProblemException pe && pe.problem().status() == 503;
  }

  private Future<?> commit() {
    if (consumer == null || handled.isEmpty()) {
      return Future.succeededFuture();
    }
    Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>(handled);
    handled.clear();
    return consumer.commit(offsets).onFailure(err -> LOG.debug("feed fan-out commit failed: {}", String.valueOf(err)));
  }

  @Override
  public Future<?> stop() {
    stopped = true;
    if (consumer == null) {
      return Future.succeededFuture();
    }
    vertx.cancelTimer(commitTimer);
    // What was handled is committed before the consumer closes: the next owner of a partition starts after it.
    // A fan-out still running when the wait ends is not committed: the partition's next owner does it again
    // (adding a post to a timeline twice leaves one entry), and the node's stop is not held by a slow shard.
    return Future.join(tails.values().stream().toList())
        .timeout(STOP_WAIT_MS, TimeUnit.MILLISECONDS)
        .onFailure(err -> LOG.warn("feed fan-out: events still in progress after {} ms at stop; their partitions' "
            + "next owner fans them out again", STOP_WAIT_MS))
        .eventually(this::commit)
        .eventually(() -> {
          closing = true;
          return consumer.close();
        });
  }
}
