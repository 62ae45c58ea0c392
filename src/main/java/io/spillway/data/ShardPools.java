package io.spillway.data;

import io.spillway.config.DataConfig;
import io.spillway.config.ShardConfig;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.net.NetClientOptions;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;

import java.util.ArrayList;
import java.util.List;

/**
 * One Pg pool per physical shard (and per replica). Pools are {@code shared}: every DataVerticle instance
 * that builds them with the same name gets the same pool, so the connection count does not grow with
 * verticle instances. Prepared statements are cached per connection and queries are pipelined.
 */
public final class ShardPools {
  private final List<Pool> primaries;
  private final List<List<Pool>> replicas;

  private ShardPools(List<Pool> primaries, List<List<Pool>> replicas) {
    this.primaries = primaries;
    this.replicas = replicas;
  }

  public static ShardPools create(Vertx vertx, DataConfig config) {
    List<Pool> primaries = new ArrayList<>();
    List<List<Pool>> replicas = new ArrayList<>();
    for (int i = 0; i < config.shards().size(); i++) {
      ShardConfig s = config.shards().get(i);
      primaries.add(pool(vertx, "shard-" + i, connect(s.host(), s.port(), s.database(), s.user(), s.password()),
          s.poolSize()));
      List<Pool> rs = new ArrayList<>();
      for (int j = 0; j < s.replicas().size(); j++) {
        ShardConfig.ReplicaConfig r = s.replicas().get(j);
        rs.add(pool(vertx, "shard-" + i + "-replica-" + j,
            connect(r.host(), r.port(), r.database(), r.user(), r.password()), r.poolSize()));
      }
      replicas.add(List.copyOf(rs));
    }
    return new ShardPools(List.copyOf(primaries), List.copyOf(replicas));
  }

  /** Connect options for a shard's primary, for clients that need a connection of their own (LISTEN). */
  public static PgConnectOptions connectOptions(ShardConfig s) {
    return connect(s.host(), s.port(), s.database(), s.user(), s.password());
  }

  static PgConnectOptions connect(String host, int port, String database, String user, String password) {
    return new PgConnectOptions()
        .setHost(host).setPort(port).setDatabase(database).setUser(user).setPassword(password)
        .setCachePreparedStatements(true)
        .setPreparedStatementCacheMaxSize(512)
        .setPipeliningLimit(256)
        .addProperty("application_name", "spillway")
        // Idempotent DDL ("already exists, skipping") would otherwise log a notice on every start.
        .addProperty("client_min_messages", "warning");
  }

  private static Pool pool(Vertx vertx, String name, PgConnectOptions connect, int size) {
    return PgBuilder.pool()
        .with(new NetClientOptions().setConnectTimeout(2000))
        .with(new PoolOptions().setMaxSize(size).setShared(true).setName("spillway-" + name)
            .setMaxWaitQueueSize(size * 256).setConnectionTimeout(5).setIdleTimeout(300))
        .connectingTo(connect)
        .using(vertx)
        .build();
  }

  public int size() {
    return primaries.size();
  }

  public Pool primary(int shard) {
    return primaries.get(shard);
  }

  /** Replica pools of {@code shard}; empty when it has none. */
  public List<Pool> replicas(int shard) {
    return replicas.get(shard);
  }

  public Future<Void> close() {
    List<Future<Void>> all = new ArrayList<>();
    primaries.forEach(p -> all.add(p.close()));
    replicas.forEach(rs -> rs.forEach(p -> all.add(p.close())));
    return Future.join(all).mapEmpty();
  }
}
