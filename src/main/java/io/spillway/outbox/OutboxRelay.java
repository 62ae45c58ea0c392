package io.spillway.outbox;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.opentelemetry.api.trace.Span;
import io.spillway.observe.EventSpans;
import io.spillway.observe.TraceContext;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.kafka.client.producer.KafkaProducer;
import io.vertx.kafka.client.producer.KafkaProducerRecord;
import io.vertx.kafka.client.producer.RecordMetadata;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.pgclient.PgConnection;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import org.apache.kafka.common.errors.ApiException;
import org.apache.kafka.common.errors.AuthenticationException;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.common.errors.SerializationException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Moves committed outbox rows of one shard to Kafka, in short statements: no database transaction stays
 * open while Kafka is asked (a slow or absent broker holds no locks and no transaction, and the server's
 * idle-in-transaction timeout never fires on the relay). A pass reads up to {@code batchSize} rows in id
 * order, publishes them, waits for every answer, deletes the rows Kafka acknowledged and moves the rows it
 * refused for good (a record too large for the broker, an invalid topic) to {@code outbox_dead_letter}, so
 * one bad row cannot block its shard. Rows that failed for a passing reason stay for the next pass. A crash
 * between the ack and the delete publishes those rows again: at least once, never lost (consumers drop the
 * duplicate by event id).
 *
 * <p>The relay holds a session advisory lock on a connection of its own, so one relay per shard drains at a
 * time across all nodes and each channel reaches Kafka in commit order. When its node dies the connection
 * closes, the lock goes with it, and another node's relay takes the shard at its next wake-up.
 *
 * <p>Wake-ups: its own node's writes wake it in-process ({@link #wake}); another node's writes reach it by a
 * NOTIFY that node sends at most once per {@code outbox.notifyMinGapMs} ({@link #notifyHolder}); and while it
 * holds its shard it looks again {@code outbox.minPollIntervalMs} after a pass that moved rows, doubling the
 * wait after each empty pass up to {@code outbox.pollIntervalMs}. No NOTIFY is sent inside a write's
 * transaction.
 */
final class OutboxRelay {
  private static final Logger LOG = LoggerFactory.getLogger(OutboxRelay.class);
  private static final long LOCK_KEY = 0x4f7574626f78L; // "Outbox"
  private static final String READ = "SELECT id, topic, channel, event::text, "
      + "(extract(epoch FROM created_at) * 1000)::bigint, event->>'traceparent' FROM outbox ORDER BY id LIMIT $1";
  private static final String DELETE = "DELETE FROM outbox WHERE id = ANY($1)";
  private static final String DEAD_LETTER = """
      WITH failed AS (SELECT * FROM unnest($1::bigint[], $2::text[]) AS f(id, error)),
      moved AS (DELETE FROM outbox o USING failed f WHERE o.id = f.id
                RETURNING o.id, o.topic, o.channel, o.event, o.created_at, f.error)
      INSERT INTO outbox_dead_letter (id, topic, channel, event, created_at, error)
      SELECT id, topic, channel, event, created_at, error FROM moved
      ON CONFLICT (id) DO NOTHING""";

  private final Vertx vertx;
  private final PgConnectOptions connect;
  private final KafkaProducer<String, String> producer;
  private final String shard;
  private final int batchSize;
  private final Counter deadLetters;
  private final Timer delay;
  private final EventSpans spans;
  private final long minPollMs;
  private final long maxPollMs;
  private final long notifyGapMs;
  private long nextPollMs;
  private long pollTimer = -1;
  private long lastNotifyAt = Long.MIN_VALUE / 2;
  private PgConnection lockConnection;
  private boolean locked;
  private boolean draining;
  private boolean again;
  private boolean stopped;
  private boolean failing;
  private Future<Void> current = Future.succeededFuture();

  OutboxRelay(Vertx vertx, PgConnectOptions connect, KafkaProducer<String, String> producer, String shard,
              int batchSize, long minPollMs, long maxPollMs, long notifyGapMs, MeterRegistry registry,
              EventSpans spans) {
    this.vertx = vertx;
    this.connect = connect;
    this.producer = producer;
    this.shard = shard;
    this.batchSize = batchSize;
    this.minPollMs = minPollMs;
    this.maxPollMs = maxPollMs;
    this.notifyGapMs = notifyGapMs;
    this.nextPollMs = minPollMs;
    this.spans = spans;
    this.delay = registry == null ? null : Timer.builder("spillway_outbox_delay")
        .description("From an outbox row's write to Kafka's acknowledgement of its event")
        .tag("shard", shard).publishPercentileHistogram().register(registry);
    this.deadLetters = registry == null ? null : Counter.builder("spillway_outbox_dead_letters")
        .description("Outbox rows Kafka refused for good, moved to outbox_dead_letter")
        .tag("shard", shard).register(registry);
  }

  /**
   * Drains now, or right after the drain in progress: wake-ups that arrive while draining fold into one
   * more pass, so a burst of wake-ups never queues a burst of passes.
   */
  void wake() {
    if (stopped) {
      return;
    }
    if (draining) {
      again = true;
      return;
    }
    draining = true;
    again = false;
    current = drainOnce().transform(ar -> {
      draining = false;
      if (ar.failed()) {
        if (!failing) {
          failing = true;
          LOG.warn("outbox relay for {} failed, rows stay for the next attempt: {}", shard, String.valueOf(ar.cause()));
        }
        return Future.succeededFuture();
      }
      if (failing) {
        failing = false;
        LOG.info("outbox relay for {} recovered", shard);
      }
      if (again || ar.result() == batchSize) {
        wake();
      } else {
        pollAfter(ar.result() > 0);
      }
      return Future.succeededFuture();
    });
  }

  /**
   * While this relay holds its shard: the next look comes {@code outbox.minPollIntervalMs} after a pass that
   * moved rows, twice as late after each empty one, at most {@code outbox.pollIntervalMs}.
   */
  private void pollAfter(boolean moved) {
    if (stopped || !holdsLock()) {
      return;
    }
    nextPollMs = moved ? minPollMs : Math.min(maxPollMs, nextPollMs * 2);
    if (pollTimer >= 0) {
      vertx.cancelTimer(pollTimer);
    }
    pollTimer = vertx.setTimer(nextPollMs, t -> {
      pollTimer = -1;
      wake();
    });
  }

  /** Whether this relay drains its shard now (holds the shard's lock). */
  boolean holdsLock() {
    return locked && lockConnection != null;
  }

  /**
   * Rows were committed on this shard by this node, and another node's relay drains it: tell that relay
   * (NOTIFY, on this relay's own connection), at most once per {@code outbox.notifyMinGapMs}. Without a
   * connection yet, this relay wakes instead: it connects, and takes the shard if nobody holds it.
   */
  void notifyHolder() {
    PgConnection c = lockConnection;
    if (c == null) {
      wake();
      return;
    }
    long now = System.nanoTime() / 1_000_000;
    if (now - lastNotifyAt < notifyGapMs) {
      return;
    }
    lastNotifyAt = now;
    c.query("NOTIFY " + OutboxListener.CHANNEL).execute()
        .onFailure(err -> LOG.debug("outbox notify for {} failed: {}", shard, String.valueOf(err)));
  }

  /** How many rows this pass took out of the outbox (0 when another node's relay holds the shard). */
  Future<Integer> drainOnce() {
    return lock().compose(held -> held ? readAndPublish() : Future.succeededFuture(0))
        .onFailure(err -> dropConnection());
  }

  /** The shard's relay lock, on this relay's own connection: taken once, held while the connection lives. */
  private Future<Boolean> lock() {
    if (locked && lockConnection != null) {
      return Future.succeededFuture(true);
    }
    Future<PgConnection> conn = lockConnection != null ? Future.succeededFuture(lockConnection)
        : PgConnection.connect(vertx, connect).onSuccess(c -> {
          lockConnection = c;
          c.closeHandler(v -> {
            if (lockConnection == c) {
              lockConnection = null;
              locked = false;
            }
          });
        });
    return conn.compose(c -> c.query("SELECT pg_try_advisory_lock(" + LOCK_KEY + ")").execute())
        .map(rows -> {
          locked = rows.iterator().next().getBoolean(0);
          return locked;
        });
  }

  private Future<Integer> readAndPublish() {
    PgConnection conn = lockConnection;
    return conn.preparedQuery(READ).execute(Tuple.of(batchSize)).compose(rows -> {
      if (rows.size() == 0) {
        return Future.succeededFuture(0);
      }
      List<Long> ids = new ArrayList<>(rows.size());
      List<Future<RecordMetadata>> acks = new ArrayList<>(rows.size());
      for (Row row : rows) {
        ids.add(row.getLong(0));
        long writtenAt = row.getLong(4);
        Future<RecordMetadata> ack = publish(row.getString(1), row.getString(2), row.getString(3), row.getString(5));
        if (delay != null) {
          ack.onSuccess(m -> delay.record(Math.max(0, System.currentTimeMillis() - writtenAt), TimeUnit.MILLISECONDS));
        }
        acks.add(ack);
      }
      // Every answer, good or bad, before anything is deleted.
      return Future.join(acks).transform(ignored -> settle(conn, ids, acks));
    });
  }

  /**
   * Sends one event, keyed by channel (one channel's events land in one partition, in order), with the trace
   * of its write in the {@code traceparent} header. When spans are exported each record gets its own
   * producer span, a child of its write: the events of one pass belong to as many requests' traces, and one
   * span for the pass could sit in only one of them (the rest would hold only a link to it).
   */
  private Future<RecordMetadata> publish(String topic, String channel, String event, String traceparent) {
    Span span = spans.publishing(topic, channel, traceparent);
    KafkaProducerRecord<String, String> record = KafkaProducerRecord.create(topic, channel, event);
    String header = EventSpans.header(span, traceparent);
    if (header != null) {
      record.addHeader(TraceContext.HEADER, header);
    }
    Future<RecordMetadata> ack = producer.send(record);
    if (span.isRecording()) {
      ack.onComplete(ar -> EventSpans.published(span, ar.cause()));
    }
    return ack;
  }

  private Future<Integer> settle(PgConnection conn, List<Long> ids, List<Future<RecordMetadata>> acks) {
    List<Long> published = new ArrayList<>();
    List<Long> refused = new ArrayList<>();
    List<String> errors = new ArrayList<>();
    Throwable passing = null;
    for (int i = 0; i < ids.size(); i++) {
      Future<RecordMetadata> ack = acks.get(i);
      if (ack.succeeded()) {
        published.add(ids.get(i));
      } else if (refusedForGood(ack.cause())) {
        refused.add(ids.get(i));
        errors.add(String.valueOf(ack.cause()));
      } else if (passing == null) {
        passing = ack.cause();
      }
    }
    Future<?> deleted = published.isEmpty() ? Future.succeededFuture()
        : conn.preparedQuery(DELETE).execute(Tuple.tuple().addArrayOfLong(published.toArray(new Long[0])));
    Future<?> moved = refused.isEmpty() ? deleted : deleted.compose(v -> conn.preparedQuery(DEAD_LETTER)
        .execute(Tuple.tuple().addArrayOfLong(refused.toArray(new Long[0])).addArrayOfString(errors.toArray(new String[0])))
        .onSuccess(r -> {
          LOG.error("outbox relay for {}: Kafka refused {} row(s) for good, moved to outbox_dead_letter "
              + "(ids {}): {}", shard, refused.size(), refused, errors.get(0));
          if (deadLetters != null) {
            deadLetters.increment(refused.size());
          }
        }));
    Throwable failure = passing;
    int done = published.size() + refused.size();
    return moved.compose(v -> failure == null ? Future.succeededFuture(done) : Future.failedFuture(failure));
  }

  /**
   * A record Kafka will never take as it is: too large, not serializable, an invalid topic. Not an
   * authorization or authentication error (a cluster setting that would refuse every row) and nothing
   * retriable (a broker away, a leader moving, a timeout).
   */
  static boolean refusedForGood(Throwable err) {
    for (Throwable t = err; t != null; t = t.getCause()) {
      if (t instanceof RetriableException || t instanceof AuthorizationException
          || t instanceof AuthenticationException) {
        return false;
      }
      if (t instanceof SerializationException || t instanceof ApiException) {
        return true;
      }
    }
    return false;
  }

  private void dropConnection() {
    PgConnection c = lockConnection;
    lockConnection = null;
    locked = false;
    if (c != null) {
      c.close();
    }
  }

  /** Stops waking, waits for the pass in progress (so the producer is not closed under it), frees the lock. */
  Future<Void> stop() {
    stopped = true;
    return current.eventually(() -> {
      PgConnection c = lockConnection;
      lockConnection = null;
      locked = false;
      return c == null ? Future.succeededFuture() : c.close();
    });
  }
}
