package io.spillway.data;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.spillway.web.Consistency;
import io.vertx.core.Future;
import io.vertx.core.internal.ContextInternal;
import io.vertx.sqlclient.Pool;

import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Picks the pool for a query: the primary for writes, a replica for stale-tolerant reads; and notes which
 * shards a request wrote, so its answer can carry their WAL positions ({@link Consistency}).
 */
final class Shards {
  private static final String WROTE = "spillway.data.wrote";
  /**
   * The WAL insert position is global to the cluster and only grows; once a COMMIT has returned, its commit
   * record is inserted, so this position, read after it from any session, is never lower than the commit's
   * end (whatever {@code synchronous_commit} says).
   */
  private static final String POSITION = "SELECT pg_current_wal_insert_lsn()::text";

  private final ShardPools pools;
  private final ShardRouter router;
  private final RecentWriters recentWriters;
  private final ReplicaPositions positions;
  private final Counter[] behind;

  /** {@code registry} may be null: no metrics then. */
  Shards(ShardPools pools, ShardRouter router, RecentWriters recentWriters, ReplicaPositions positions,
         MeterRegistry registry) {
    this.pools = pools;
    this.router = router;
    this.recentWriters = recentWriters;
    this.positions = positions;
    this.behind = new Counter[pools.size()];
    for (int i = 0; i < behind.length && registry != null; i++) {
      behind[i] = Counter.builder("spillway_data_reads_primary_replica_behind")
          .description("Reads that carried a consistency token and went to the primary because no replica had "
              + "replayed that far")
          .tag("shard", Integer.toString(i)).register(registry);
    }
  }

  ShardRouter router() {
    return router;
  }

  int count() {
    return pools.size();
  }

  Pool primary(int physical) {
    return pools.primary(physical);
  }

  Pool primaryForId(long id) {
    return pools.primary(router.physicalOfId(id));
  }

  /**
   * A reader for {@code physical}: a random replica whose breaker is closed and that has replayed as far as
   * the request's consistency token asks, unless the viewer has just written on this node; else the primary.
   * A replica that fails a read hands it to the primary ({@link GuardedPool}).
   */
  Pool reader(int physical, Long viewer) {
    List<Pool> replicas = pools.replicas(physical);
    if (replicas.isEmpty() || recentWriters.wroteRecently(viewer)) {
      return pools.primary(physical);
    }
    long needed = Consistency.required(physical);
    boolean behindOne = false;
    int start = ThreadLocalRandom.current().nextInt(replicas.size());
    for (int i = 0; i < replicas.size(); i++) {
      int index = (start + i) % replicas.size();
      Pool replica = replicas.get(index);
      if (replica instanceof GuardedPool g && g.unavailable()) {
        continue;
      }
      if (needed == 0 || positions.replayed(physical, index) >= needed) {
        return replica;
      }
      behindOne = true;
    }
    if (behindOne) {
      if (behind[physical] != null) {
        behind[physical].increment();
      }
      positions.refreshSoon();
    }
    return pools.primary(physical);
  }

  /** A reader for {@code physical} that serves every one of {@code viewers} as {@link #reader(int, Long)} would. */
  Pool reader(int physical, List<Long> viewers) {
    for (Long viewer : viewers) {
      if (recentWriters.wroteRecently(viewer)) {
        return pools.primary(physical);
      }
    }
    return reader(physical, (Long) null);
  }

  Pool readerForId(long id, Long viewer) {
    return reader(router.physicalOfId(id), viewer);
  }

  /**
   * After a commit: {@code writer} reads the primary on this node for a while, and the current request's
   * answer carries the position of the shard holding {@code rowId}.
   */
  void wrote(long writer, long rowId) {
    recentWriters.wrote(writer);
    touched(router.physicalOfId(rowId));
  }

  /** The current request's answer carries the position of {@code physical} (which it wrote, or found written). */
  void touched(int physical) {
    if (Consistency.local() instanceof ContextInternal ctx) {
      TreeSet<Integer> wrote = ctx.getLocal(WROTE);
      if (wrote == null) {
        wrote = new TreeSet<>();
        ctx.putLocal(WROTE, wrote);
      }
      wrote.add(physical);
    }
  }

  /**
   * The positions of the shards the current request wrote that have replicas (a shard without replicas
   * reads its primary anyway), or null when there are none. A shard whose position cannot be read is left
   * out rather than failing a write that committed.
   */
  Future<Consistency> written() {
    TreeSet<Integer> wrote = Consistency.local() instanceof ContextInternal ctx ? ctx.getLocal(WROTE) : null;
    if (wrote == null) {
      return Future.succeededFuture();
    }
    List<Future<Consistency>> all = new ArrayList<>();
    for (int physical : wrote) {
      if (!pools.replicas(physical).isEmpty()) {
        all.add(pools.primary(physical).query(POSITION).execute()
            .map(rows -> Consistency.of(physical, Consistency.lsn(rows.iterator().next().getString(0))))
            .otherwiseEmpty());
      }
    }
    return Future.join(all).transform(ar -> {
      Consistency merged = null;
      for (Future<Consistency> f : all) {
        merged = f.result() == null ? merged : f.result().merge(merged);
      }
      return Future.succeededFuture(merged);
    });
  }
}
