package io.spillway.data;

import io.micrometer.core.instrument.MeterRegistry;
import io.spillway.config.DataConfig;
import io.spillway.config.ShardConfig;
import io.spillway.redis.CircuitBreaker;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.net.NetClientOptions;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.Map;
import java.util.WeakHashMap;
import java.util.List;

/**
 * One Pg pool per physical shard (and per replica). Pools are {@code shared}: every DataVerticle instance
 * that builds them with the same name gets the same pool, so the connection count does not grow with
 * verticle instances. Prepared statements are cached per connection and queries are pipelined. Every
 * connection runs with {@code data.statementTimeoutMs} and {@code data.idleInTransactionTimeoutMs}. Each
 * pool is handed out behind its own breaker ({@link GuardedPool}); a replica's falls back to its primary.
 */
public final class ShardPools {
  private final List<Pool> primaries;
  private final List<List<Pool>> replicas;
  private final List<Pool> rawPrimaries;
  private final List<List<Pool>> rawReplicas;

  private ShardPools(List<Pool> primaries, List<List<Pool>> replicas, List<Pool> rawPrimaries,
                     List<List<Pool>> rawReplicas) {
    this.primaries = primaries;
    this.replicas = replicas;
    this.rawPrimaries = rawPrimaries;
    this.rawReplicas = rawReplicas;
  }

  public static ShardPools create(Vertx vertx, DataConfig config) {
    return create(vertx, config, null);
  }

  /** With {@code registry} (may be null), each pool's breaker state and fast failures are metrics. */
  public static ShardPools create(Vertx vertx, DataConfig config, MeterRegistry registry) {
    List<Pool> primaries = new ArrayList<>();
    List<List<Pool>> replicas = new ArrayList<>();
    List<Pool> rawPrimaries = new ArrayList<>();
    List<List<Pool>> rawReplicas = new ArrayList<>();
    for (int i = 0; i < config.shards().size(); i++) {
      ShardConfig s = config.shards().get(i);
      String name = "shard-" + i;
      Pool raw = pool(vertx, name, timeouts(connect(s.host(), s.port(), s.database(), s.user(), s.password()), config),
          s.poolSize());
      rawPrimaries.add(raw);
      GuardedPool primary = new GuardedPool("pg-" + name, raw, null, breaker(vertx, name, config), registry);
      primaries.add(primary);
      List<Pool> rs = new ArrayList<>();
      List<Pool> raws = new ArrayList<>();
      for (int j = 0; j < s.replicas().size(); j++) {
        ShardConfig.ReplicaConfig r = s.replicas().get(j);
        String replicaName = name + "-replica-" + j;
        Pool rawReplica = pool(vertx, replicaName,
            timeouts(connect(r.host(), r.port(), r.database(), r.user(), r.password()), config), r.poolSize());
        raws.add(rawReplica);
        rs.add(new GuardedPool("pg-" + replicaName, rawReplica, primary, breaker(vertx, replicaName, config), registry));
      }
      replicas.add(List.copyOf(rs));
      rawReplicas.add(List.copyOf(raws));
    }
    return new ShardPools(List.copyOf(primaries), List.copyOf(replicas), List.copyOf(rawPrimaries),
        List.copyOf(rawReplicas));
  }

  /** One breaker per pool and node, like the pool itself: every verticle instance sees the same state. */
  private static CircuitBreaker breaker(Vertx vertx, String name, DataConfig config) {
    synchronized (BREAKERS) {
      return BREAKERS.computeIfAbsent(vertx, v -> new HashMap<>()).computeIfAbsent(name,
          n -> new CircuitBreaker(System::currentTimeMillis, config.breakerFailureThreshold(), config.breakerOpenMs()));
    }
  }

  private static final Map<Vertx, Map<String, CircuitBreaker>> BREAKERS = new WeakHashMap<>();

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

  /**
   * The server ends a statement that outlives its caller's patience, and a transaction left idle (a client
   * that died mid-transaction), instead of holding locks and a connection for good.
   */
  private static PgConnectOptions timeouts(PgConnectOptions options, DataConfig config) {
    return options
        .addProperty("statement_timeout", Long.toString(config.statementTimeoutMs()))
        .addProperty("idle_in_transaction_session_timeout", Long.toString(config.idleInTransactionTimeoutMs()));
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

  /** The shard's primary behind its breaker. */
  public Pool primary(int shard) {
    return primaries.get(shard);
  }

  /** Replica pools of {@code shard} behind their breakers (each falls back to the primary); empty when none. */
  public List<Pool> replicas(int shard) {
    return replicas.get(shard);
  }

  /** The primary without its breaker: health checks must see the database itself. */
  Pool rawPrimary(int shard) {
    return rawPrimaries.get(shard);
  }

  Pool rawReplica(int shard, int replica) {
    return rawReplicas.get(shard).get(replica);
  }

  public Future<Void> close() {
    List<Future<Void>> all = new ArrayList<>();
    rawPrimaries.forEach(p -> all.add(p.close()));
    rawReplicas.forEach(rs -> rs.forEach(p -> all.add(p.close())));
    return Future.join(all).mapEmpty();
  }
}
