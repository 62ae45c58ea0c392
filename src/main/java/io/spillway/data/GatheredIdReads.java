package io.spillway.data;

import io.spillway.web.TurnBatches;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.WeakHashMap;

/**
 * Reads of rows by id ({@link IdListQuery}) for one pool, gathered on the data verticle's event loop: while
 * the pool's previous gathered statement is unanswered, the reads that arrive (from every HTTP event loop's
 * batched loads) wait and leave together as one statement when it answers ({@link TurnBatches#inFlight}). Under
 * load PostgreSQL runs fewer, larger statements (its cost is mostly per statement); with nothing in flight a
 * read leaves at the end of its turn. Each read gets back the rows of its own ids only.
 *
 * <p>One per data verticle and query, used on that verticle's event loop only.
 */
final class GatheredIdReads {
  /** Reads per statement at most (each up to a batch of ids). */
  private static final int MAX_READS = 64;
  /** Gathered statements per pool unanswered at a time. */
  private static final int IN_FLIGHT = 1;

  private record Read(Pool pool, Long[] ids, Promise<List<Row>> promise) {}

  private final IdListQuery query;
  // Pools come and go with shard moves: a retired pool's entry goes with it.
  private final Map<Pool, TurnBatches<Read>> byPool = new WeakHashMap<>();

  GatheredIdReads(IdListQuery query) {
    this.query = query;
  }

  /** The rows of {@code ids} that {@code pool} holds (each at most once). */
  Future<List<Row>> read(Pool pool, Long[] ids) {
    Promise<List<Row>> promise = Promise.promise();
    // The batches hold no reference to their pool (a read carries it), so the map lets a retired pool go.
    byPool.computeIfAbsent(pool, p -> TurnBatches.inFlight(MAX_READS, IN_FLIGHT, this::send))
        .add(new Read(pool, ids, promise));
    return promise.future();
  }

  private Future<?> send(List<Read> batch) {
    Pool pool = batch.get(0).pool();
    Set<Long> all = new LinkedHashSet<>();
    for (Read r : batch) {
      all.addAll(List.of(r.ids()));
    }
    Long[] ids = all.toArray(new Long[0]);
    Future<RowSet<Row>> rows;
    try {
      rows = pool.preparedQuery(query.sql(ids.length)).execute(query.args(ids));
    } catch (RuntimeException e) {
      rows = Future.failedFuture(e);
    }
    return rows.onComplete(ar -> {
      if (ar.failed()) {
        batch.forEach(r -> r.promise().fail(ar.cause()));
        return;
      }
      Map<Long, Row> byId = new HashMap<>();
      for (Row row : ar.result()) {
        byId.put(row.getLong("id"), row);
      }
      for (Read r : batch) {
        r.promise().complete(rowsOf(r.ids(), byId));
      }
    });
  }

  private static List<Row> rowsOf(Long[] ids, Map<Long, Row> byId) {
    List<Row> rows = new ArrayList<>(ids.length);
    Set<Long> seen = new HashSet<>();
    for (Long id : ids) {
      Row row = byId.get(id);
      if (row != null && seen.add(id)) {
        rows.add(row);
      }
    }
    return rows;
  }
}
