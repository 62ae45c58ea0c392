package io.spillway.data;

import io.vertx.sqlclient.Pool;

import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/** Picks the pool for a query: the primary for writes, a replica for stale-tolerant reads. */
final class Shards {
  private final ShardPools pools;
  private final ShardRouter router;
  private final RecentWriters recentWriters;

  Shards(ShardPools pools, ShardRouter router, RecentWriters recentWriters) {
    this.pools = pools;
    this.router = router;
    this.recentWriters = recentWriters;
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
   * A reader for {@code physical}: a random replica whose breaker is closed when there is one and the viewer
   * has not just written, else the primary. A replica that fails a read hands it to the primary
   * ({@link GuardedPool}).
   */
  Pool reader(int physical, Long viewer) {
    List<Pool> replicas = pools.replicas(physical);
    if (replicas.isEmpty() || recentWriters.wroteRecently(viewer)) {
      return pools.primary(physical);
    }
    int start = ThreadLocalRandom.current().nextInt(replicas.size());
    for (int i = 0; i < replicas.size(); i++) {
      Pool replica = replicas.get((start + i) % replicas.size());
      if (!(replica instanceof GuardedPool g) || !g.unavailable()) {
        return replica;
      }
    }
    return pools.primary(physical);
  }

  Pool readerForId(long id, Long viewer) {
    return reader(router.physicalOfId(id), viewer);
  }

  void wrote(long userId) {
    recentWriters.wrote(userId);
  }
}
