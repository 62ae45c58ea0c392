package io.spillway.outbox;

import io.vertx.core.Future;
import io.vertx.kafka.client.producer.KafkaProducer;
import io.vertx.kafka.client.producer.KafkaProducerRecord;
import io.vertx.kafka.client.producer.RecordMetadata;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;

/**
 * Moves committed outbox rows of one shard to Kafka. One drain is one transaction: claim up to {@code
 * batchSize} rows ({@code FOR UPDATE SKIP LOCKED}), publish them, wait for every ack, delete them, commit.
 * A crash or a failed delete after the publish rolls the claim back, so the rows are published again: at
 * least once, never lost (consumers drop the duplicate by event id).
 *
 * <p>A transaction-scoped advisory lock lets one relay per shard drain at a time, across all nodes. Without
 * it two nodes would publish disjoint batches concurrently and a channel's events could reach Kafka out of
 * commit order; with it the other nodes' wake-ups are cheap no-ops and take over when a node dies.
 */
final class OutboxRelay {
  private static final Logger LOG = LoggerFactory.getLogger(OutboxRelay.class);
  private static final long LOCK_KEY = 0x4f7574626f78L; // "Outbox"
  private static final String CLAIM = "SELECT id, topic, channel, event::text FROM outbox "
      + "ORDER BY id LIMIT $1 FOR UPDATE SKIP LOCKED";

  private final Pool pool;
  private final KafkaProducer<String, String> producer;
  private final String shard;
  private final int batchSize;
  private boolean draining;
  private boolean again;
  private boolean stopped;
  private boolean failing;
  private Future<Void> current = Future.succeededFuture();

  OutboxRelay(Pool pool, KafkaProducer<String, String> producer, String shard, int batchSize) {
    this.pool = pool;
    this.producer = producer;
    this.shard = shard;
    this.batchSize = batchSize;
  }

  /**
   * Drains now, or right after the drain in progress: wake-ups that arrive while draining fold into one
   * more pass, so a burst of NOTIFYs never queues a burst of transactions.
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
      }
      return Future.succeededFuture();
    });
  }

  /** How many rows this pass published (0 when another relay holds the shard). */
  Future<Integer> drainOnce() {
    return pool.withTransaction(conn -> conn.query("SELECT pg_try_advisory_xact_lock(" + LOCK_KEY + ")").execute()
        .compose(lock -> lock.iterator().next().getBoolean(0) ? claimAndPublish(conn) : Future.succeededFuture(0)));
  }

  private Future<Integer> claimAndPublish(SqlConnection conn) {
    return conn.preparedQuery(CLAIM).execute(Tuple.of(batchSize)).compose(rows -> {
      if (rows.size() == 0) {
        return Future.succeededFuture(0);
      }
      List<Future<RecordMetadata>> acks = new ArrayList<>(rows.size());
      Long[] ids = new Long[rows.size()];
      int i = 0;
      for (Row row : rows) {
        ids[i++] = row.getLong(0);
        // Keyed by channel: one channel's events land in one partition, in order.
        acks.add(producer.send(KafkaProducerRecord.create(row.getString(1), row.getString(2), row.getString(3))));
      }
      return Future.all(acks)
          .compose(published -> conn.preparedQuery("DELETE FROM outbox WHERE id = ANY($1)").execute(Tuple.of(ids)))
          .map(deleted -> ids.length);
    });
  }

  /** Stops waking and waits for the drain in progress, so the producer is not closed under it. */
  Future<Void> stop() {
    stopped = true;
    return current;
  }
}
