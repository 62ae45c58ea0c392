package io.spillway.data;

import io.spillway.web.Consistency;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.Row;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * How far each replica has replayed the WAL ({@code pg_last_wal_replay_lsn()}), as last seen: refreshed on a
 * timer and on demand (a read that needed more than a replica had replayed asks for a refresh), never once
 * per read. The value only lags the truth, so a read it sends to a replica finds there what it asked for.
 * A replica that is not in recovery (a plain database, or promoted) counts as having replayed nothing, so reads
 * that carry a consistency token go to the primary; one that does not answer keeps its last value.
 */
final class ReplicaPositions {
  private static final String QUERY = "SELECT pg_last_wal_replay_lsn()::text";
  private static final long MIN_DEMAND_GAP_NANOS = 10_000_000;

  private final ShardPools pools;
  private final AtomicLongArray[] replayed;
  private final AtomicBoolean refreshing = new AtomicBoolean();
  private volatile long lastStart = System.nanoTime() - MIN_DEMAND_GAP_NANOS;

  ReplicaPositions(ShardPools pools) {
    this.pools = pools;
    this.replayed = new AtomicLongArray[pools.size()];
    for (int i = 0; i < replayed.length; i++) {
      replayed[i] = new AtomicLongArray(pools.replicas(i).size());
    }
  }

  /** Refreshes every {@code periodMs} while the node runs (nothing to do without replicas). */
  void watch(Vertx vertx, long periodMs) {
    for (AtomicLongArray shard : replayed) {
      if (shard.length() > 0) {
        vertx.setPeriodic(periodMs, t -> refresh());
        return;
      }
    }
  }

  /** The position replica {@code replica} of {@code shard} had replayed when last asked (0: unknown). */
  long replayed(int shard, int replica) {
    return replayed[shard].get(replica);
  }

  /**
   * For a read that found every replica behind: refreshes unless one is under way or began less than
   * {@link #MIN_DEMAND_GAP_NANOS} ago, so reads against a replica that stays behind cost a few queries a
   * second, not one each.
   */
  void refreshSoon() {
    if (System.nanoTime() - lastStart >= MIN_DEMAND_GAP_NANOS) {
      refresh();
    }
  }

  /** Asks every replica where it is, unless a refresh is under way already. */
  void refresh() {
    if (!refreshing.compareAndSet(false, true)) {
      return;
    }
    lastStart = System.nanoTime();
    int total = 0;
    for (AtomicLongArray shard : replayed) {
      total += shard.length();
    }
    if (total == 0) {
      refreshing.set(false);
      return;
    }
    AtomicInteger pending = new AtomicInteger(total);
    for (int shard = 0; shard < replayed.length; shard++) {
      for (int replica = 0; replica < replayed[shard].length(); replica++) {
        AtomicLongArray positions = replayed[shard];
        int r = replica;
        pools.rawReplica(shard, replica).query(QUERY).execute()
            .onSuccess(rows -> {
              Row row = rows.iterator().next();
              String lsn = row.getString(0);
              positions.set(r, lsn == null ? 0 : Consistency.lsn(lsn));
            })
            .onComplete(ar -> {
              if (pending.decrementAndGet() == 0) {
                refreshing.set(false);
              }
            });
      }
    }
  }
}
