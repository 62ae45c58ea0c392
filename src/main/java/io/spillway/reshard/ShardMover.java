package io.spillway.reshard;

import io.spillway.config.ReshardConfig;
import io.spillway.data.ShardPools;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Runs a move one step at a time; each step reads the move's row first and records what it did, so any node
 * can take the next step after this one died. The phases:
 *
 * <ol>
 *   <li><b>prepare</b>: the target forgets any old fence and leftover rows of the logical shard; the source
 *   starts capturing its changes ({@code shard_capture}, see V9__shard_move_capture.sql). Capture is switched
 *   on under a brief lock of the moved tables, so no write that began before it can commit uncaptured.</li>
 *   <li><b>copy</b>: every table's rows of the shard, in key order, a batch per step (delete the batch's keys
 *   at the target, insert the rows), the position recorded after each batch.</li>
 *   <li><b>catch-up</b>: the captured changes are replayed: each changed row is read again at the source and
 *   written (or deleted) at the target, so the replay is idempotent and the order of changes does not matter.
 *   When the backlog is under {@code catchUpRows}, the cut-over starts.</li>
 *   <li><b>cut-over</b>: the source fences the shard (its writes fail with SW001, taken under the same lock,
 *   so the writes in flight commit first and are captured); the last changes are replayed; the source's
 *   outbox rows of the shard are waited out (the relay publishes them), so the channel's events from the
 *   target come after them; then the map flips in one transaction on the first shard. Longer than {@code
 *   fenceTimeoutMs} and the fence is lifted and the cut-over tried again after {@code retryMs}.</li>
 * </ol>
 */
final class ShardMover {
  private static final Logger LOG = LoggerFactory.getLogger(ShardMover.class);
  private static final String LOCK_TABLES = "LOCK TABLE "
      + MovedTable.ALL.stream().map(MovedTable::name).collect(Collectors.joining(", ")) + " IN SHARE ROW EXCLUSIVE MODE";
  private static final long LOCK_TIMEOUT_MS = 500;

  /** What to do after a step. */
  enum Next { NOW, PAUSE, LATER, ENDED }

  private final Vertx vertx;
  private final MoveLog log;
  private final ShardPools pools;
  private final ReshardConfig config;
  private final ReshardMetrics metrics;

  ShardMover(Vertx vertx, MoveLog log, ShardPools pools, ReshardConfig config, ReshardMetrics metrics) {
    this.vertx = vertx;
    this.log = log;
    this.pools = pools;
    this.config = config;
    this.metrics = metrics;
  }

  Future<Next> step(long id) {
    return log.get(id).compose(m -> {
      if (m.cancelRequested() && m.phase() != Move.Phase.CUT_OVER && m.phase().active()) {
        return cancel(m);
      }
      return switch (m.phase()) {
        case PREPARE -> prepare(m);
        case COPY -> copy(m);
        case CATCH_UP -> catchUp(m);
        case CUT_OVER -> cutOver(m);
        case DONE, CANCELLED -> Future.succeededFuture(Next.ENDED);
      };
    });
  }

  private Future<Next> prepare(Move m) {
    Pool source = pools.primary(m.source());
    Pool target = pools.primary(m.target());
    return target.preparedQuery("DELETE FROM shard_capture WHERE logical = $1").execute(Tuple.of(m.logical()))
        .compose(v -> removeShard(target, m.logical()))
        .compose(v -> source.preparedQuery("DELETE FROM shard_changes WHERE logical = $1").execute(Tuple.of(m.logical())))
        .compose(v -> source.withTransaction(tx -> lockTables(tx)
            .compose(x -> tx.preparedQuery("INSERT INTO shard_capture (logical, state) VALUES ($1, 'capture') "
                + "ON CONFLICT (logical) DO UPDATE SET state = 'capture'").execute(Tuple.of(m.logical())))))
        .compose(v -> log.phase(m.id(), Move.Phase.COPY))
        .onSuccess(v -> LOG.info("shard move {}: logical shard {} from database {} to {}: capturing changes, copying",
            m.id(), m.logical(), m.source(), m.target()))
        .map(Next.NOW);
  }

  private Future<Next> copy(Move m) {
    if (m.copyTable() >= MovedTable.ALL.size()) {
      return log.phase(m.id(), Move.Phase.CATCH_UP)
          .onSuccess(v -> LOG.info("shard move {}: copied {} rows of logical shard {}, replaying changes", m.id(),
              m.rowsCopied(), m.logical()))
          .map(Next.NOW);
    }
    MovedTable table = MovedTable.ALL.get(m.copyTable());
    Tuple args = Tuple.of(m.logical(), config.copyBatchRows());
    if (m.copyKey() != null) {
      table.keyParams(m.copyKey()).forEach(args::addValue);
    }
    return pools.primary(m.source()).preparedQuery(table.copyBatch(m.copyKey() != null)).execute(args)
        .compose(rows -> {
          if (rows.size() == 0) {
            return log.copied(m.id(), m.copyTable() + 1, null, 0).map(Next.NOW);
          }
          List<String> copied = new ArrayList<>(rows.size());
          List<String> keys = new ArrayList<>(rows.size());
          String last = null;
          for (Row r : rows) {
            copied.add(r.getString(0));
            last = r.getString(1);
            keys.add(last);
          }
          String lastKey = last;
          return write(pools.primary(m.target()), table, keys, copied)
              .compose(v -> log.copied(m.id(), m.copyTable(), lastKey, copied.size()))
              .onSuccess(v -> metrics.copied(copied.size()))
              .map(Next.PAUSE);
        });
  }

  private Future<Next> catchUp(Move m) {
    return replay(m).compose(n -> backlog(m)).compose(backlog -> backlog <= config.catchUpRows()
        ? cutOver(m) : Future.succeededFuture(Next.NOW));
  }

  private Future<Next> cutOver(Move m) {
    Future<Boolean> entered = m.phase() == Move.Phase.CUT_OVER ? Future.succeededFuture(true) : log.enterCutOver(m.id());
    return entered.compose(ok -> {
      if (!ok) {
        return Future.succeededFuture(Next.NOW); // cancelled meanwhile: the next step cancels
      }
      Pool source = pools.primary(m.source());
      long start = System.nanoTime();
      long deadline = start + config.fenceTimeoutMs() * 1_000_000L;
      return source.withTransaction(tx -> lockTables(tx)
              .compose(x -> tx.preparedQuery("UPDATE shard_capture SET state = 'fenced' WHERE logical = $1")
                  .execute(Tuple.of(m.logical()))))
          .compose(v -> drain(m, deadline))
          .compose(drained -> drained ? outboxRelayed(source, m.logical(), deadline) : Future.succeededFuture(false))
          .compose(ready -> {
            if (!ready) {
              metrics.fenceTimeout();
              LOG.warn("shard move {}: the cut-over of logical shard {} would hold its fence over {} ms; fence lifted, "
                  + "trying again in {} ms", m.id(), m.logical(), config.fenceTimeoutMs(), config.retryMs());
              return unfence(m).map(Next.LATER);
            }
            return flip(m, start);
          }, err -> unfence(m).<Next>transform(x -> Future.failedFuture(err)));
    });
  }

  private Future<Next> flip(Move m, long start) {
    long fenceMs = (System.nanoTime() - start) / 1_000_000L;
    return log.flip(m, fenceMs).compose(version -> {
      metrics.fence(fenceMs);
      metrics.ended("done");
      LOG.info("shard move {}: logical shard {} is on database {} (shard map version {}); writes were fenced for {} ms",
          m.id(), m.logical(), m.target(), version, fenceMs);
      // The fence stays on the source: a node still routing by the old map is refused there, not served stale.
      // The source's pending follow halves of the shard go now rather than at the cleanup: the target has them,
      // and the follow repair of the source would keep picking them up (and finding nothing to do) until then.
      Pool source = pools.primary(m.source());
      return source.preparedQuery("DELETE FROM shard_changes WHERE logical = $1").execute(Tuple.of(m.logical()))
          .compose(v -> removeAll(source, MovedTable.named("follow_sync"), m.logical()))
          .map(Next.ENDED);
    });
  }

  private Future<Void> unfence(Move m) {
    return pools.primary(m.source())
        .preparedQuery("UPDATE shard_capture SET state = 'capture' WHERE logical = $1")
        .execute(Tuple.of(m.logical()))
        .compose(v -> log.phase(m.id(), Move.Phase.CATCH_UP));
  }

  /** Replays until nothing is left, or false at the deadline. */
  private Future<Boolean> drain(Move m, long deadline) {
    return replay(m).compose(n -> {
      if (n == 0) {
        return backlog(m).compose(left -> left == 0 ? Future.succeededFuture(true) : drain(m, deadline));
      }
      return System.nanoTime() > deadline ? Future.succeededFuture(false) : drain(m, deadline);
    });
  }

  /** Waits until the source's relay has published every outbox row of the shard, or false at the deadline. */
  private Future<Boolean> outboxRelayed(Pool source, int logical, long deadline) {
    return source.preparedQuery(MovedTable.OUTBOX_OF_SHARD).execute(Tuple.of(logical)).compose(rows -> {
      if (rows.iterator().next().getLong(0) == 0) {
        return Future.succeededFuture(true);
      }
      if (System.nanoTime() > deadline) {
        return Future.succeededFuture(false);
      }
      Promise<Boolean> later = Promise.promise();
      vertx.setTimer(10, t -> outboxRelayed(source, logical, deadline).onComplete(later));
      return later.future();
    });
  }

  /** One batch of captured changes replayed at the target; how many entries it took. */
  private Future<Integer> replay(Move m) {
    Pool source = pools.primary(m.source());
    return source.preparedQuery("SELECT seq, tbl, pk::text FROM shard_changes WHERE logical = $1 ORDER BY seq LIMIT $2")
        .execute(Tuple.of(m.logical(), config.copyBatchRows()))
        .compose(rows -> {
          if (rows.size() == 0) {
            return Future.succeededFuture(0);
          }
          List<Long> seqs = new ArrayList<>(rows.size());
          Map<String, Set<String>> keysByTable = new LinkedHashMap<>();
          for (Row r : rows) {
            seqs.add(r.getLong(0));
            keysByTable.computeIfAbsent(r.getString(1), t -> new LinkedHashSet<>()).add(r.getString(2));
          }
          Future<?> chain = Future.succeededFuture();
          for (Map.Entry<String, Set<String>> e : keysByTable.entrySet()) {
            MovedTable table = MovedTable.named(e.getKey());
            List<String> keys = List.copyOf(e.getValue());
            chain = chain.compose(v -> source.preparedQuery(table.readKeys())
                .execute(Tuple.of(MovedTable.array(keys)))
                .compose(current -> {
                  List<String> present = new ArrayList<>(current.size());
                  current.forEach(r -> present.add(r.getString(0)));
                  return write(pools.primary(m.target()), table, keys, present);
                }));
          }
          return chain
              .compose(v -> source.preparedQuery("DELETE FROM shard_changes WHERE seq = ANY($1)")
                  .execute(Tuple.of(seqs.toArray(new Long[0]))))
              .compose(v -> log.replayed(m.id(), seqs.size()))
              .onSuccess(v -> metrics.replayed(seqs.size()))
              .map(seqs.size());
        });
  }

  private Future<Long> backlog(Move m) {
    return pools.primary(m.source()).preparedQuery("SELECT count(*) FROM shard_changes WHERE logical = $1")
        .execute(Tuple.of(m.logical()))
        .map(rows -> rows.iterator().next().getLong(0))
        .onSuccess(metrics::backlog);
  }

  private Future<Next> cancel(Move m) {
    Pool source = pools.primary(m.source());
    return source.preparedQuery("DELETE FROM shard_capture WHERE logical = $1").execute(Tuple.of(m.logical()))
        .compose(v -> source.preparedQuery("DELETE FROM shard_changes WHERE logical = $1").execute(Tuple.of(m.logical())))
        .compose(v -> removeShard(pools.primary(m.target()), m.logical()))
        .compose(removed -> log.cancelled(m.id()).onSuccess(v -> {
          metrics.ended("cancelled");
          LOG.info("shard move {}: cancelled; logical shard {} stays on database {}, {} copied rows removed from "
              + "database {}", m.id(), m.logical(), m.source(), removed, m.target());
        }))
        .map(Next.ENDED);
  }

  /** Sets the target's rows of {@code keys} to {@code rows}: the keys deleted, the rows inserted, one transaction. */
  private static Future<Void> write(Pool target, MovedTable table, List<String> keys, List<String> rows) {
    return target.withTransaction(tx -> tx.preparedQuery(table.deleteKeys()).execute(Tuple.of(MovedTable.array(keys)))
        .compose(v -> rows.isEmpty() ? Future.succeededFuture()
            : tx.preparedQuery(table.insertRows()).execute(Tuple.of(MovedTable.array(rows))))
        .mapEmpty());
  }

  /**
   * Removes every row of logical shard {@code logical} from the database of {@code pool}, a batch per
   * transaction, past the shard's fence there; the number removed.
   */
  Future<Long> removeShard(Pool pool, int logical) {
    Future<Long> chain = Future.succeededFuture(0L);
    for (MovedTable table : MovedTable.ALL) {
      chain = chain.compose(total -> removeAll(pool, table, logical).map(n -> total + n));
    }
    return chain;
  }

  private Future<Long> removeAll(Pool pool, MovedTable table, int logical) {
    return pool.withTransaction(tx -> tx.query("SET LOCAL spillway.shard_move = 'on'").execute()
            .compose(v -> tx.preparedQuery(table.deleteBatch()).execute(Tuple.of(logical, config.copyBatchRows()))))
        .compose(rows -> rows.rowCount() == 0 ? Future.succeededFuture(0L)
            : removeAll(pool, table, logical).map(n -> n + rows.rowCount()));
  }

  private static Future<Void> lockTables(SqlConnection tx) {
    return tx.query("SET LOCAL lock_timeout = " + LOCK_TIMEOUT_MS).execute()
        .compose(v -> tx.query(LOCK_TABLES).execute()).mapEmpty();
  }
}
