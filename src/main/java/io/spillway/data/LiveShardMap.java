package io.spillway.data;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.spillway.config.DataConfig;
import io.spillway.observe.ThrottledLog;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.pgclient.PgConnection;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The node's shard map: the {@code shard_map} row on the first shard, seeded from {@code data.shardMap} when
 * there is none. Every node loads it before serving, then follows it: a LISTEN connection reloads it as soon
 * as a cut-over announces a new version, and a poll every {@code data.resharding.pollMs} catches an
 * announcement missed while that connection was down. A newer version replaces the old one whole (one
 * reference swap), so a router never sees half a map, and an older one never replaces a newer.
 */
public final class LiveShardMap {
  /** The NOTIFY channel a cut-over announces a new map version on. */
  public static final String CHANNEL = "spillway_shard_map";
  private static final Logger LOG = LoggerFactory.getLogger(LiveShardMap.class);
  private static final ThrottledLog FAILURE_LOG = new ThrottledLog(60_000, System::currentTimeMillis);

  private final DataConfig config;
  private final AtomicReference<ShardMap> current;
  private final AtomicBoolean watching = new AtomicBoolean();
  private final AtomicBoolean reloading = new AtomicBoolean();
  private volatile Pool first;
  private Vertx vertx;
  private PgConnectOptions listenOptions;
  private PgConnection listener;
  private long pollTimer = -1;
  private volatile boolean stopped;

  public LiveShardMap(DataConfig config) {
    this.config = config;
    this.current = new AtomicReference<>(new ShardMap(0, config.shardMap()));
  }

  public ShardMap current() {
    return current.get();
  }

  ShardRouter router() {
    return new ShardRouter(config.logicalShards(), current::get);
  }

  /** Seeds the map on the first shard when it has none (every node may try; one insert wins), then loads it. */
  Future<ShardMap> load(Pool firstShard) {
    this.first = firstShard;
    return firstShard.preparedQuery("INSERT INTO shard_map (id, version, physical) VALUES (1, 1, $1) "
            + "ON CONFLICT (id) DO NOTHING")
        .execute(Tuple.of(boxed(config.shardMap())))
        .compose(v -> reload());
  }

  /** Reads the map and applies it when it is newer than the one in use. */
  public Future<ShardMap> reload() {
    Pool pool = first;
    if (pool == null) {
      return Future.succeededFuture(current.get());
    }
    return pool.query("SELECT version, physical FROM shard_map WHERE id = 1").execute().compose(rows -> {
      if (rows.size() == 0) {
        return Future.failedFuture(new IllegalStateException("the first shard has no shard map"));
      }
      Row row = rows.iterator().next();
      Integer[] stored = row.getArrayOfIntegers("physical");
      if (stored.length != config.logicalShards()) {
        return Future.failedFuture(new IllegalStateException("the shard map on " + config.shards().get(0).describe()
            + " has " + stored.length + " logical shards but data.logicalShards is " + config.logicalShards()
            + ": the number of logical shards cannot change once the map exists"));
      }
      int[] physical = new int[stored.length];
      for (int i = 0; i < stored.length; i++) {
        if (stored[i] == null || stored[i] < 0 || stored[i] >= config.shards().size()) {
          return Future.failedFuture(new IllegalStateException("the shard map places logical shard " + i
              + " on physical shard " + stored[i] + ", but data.shards has " + config.shards().size()
              + " entries: a database a logical shard lives on was removed from data.shards"));
        }
        physical[i] = stored[i];
      }
      ShardMap loaded = new ShardMap(row.getLong("version"), physical);
      ShardMap now = current.getAndUpdate(old -> loaded.version() > old.version() ? loaded : old);
      if (loaded.version() > now.version() && now.version() > 0) {
        LOG.info("shard map version {} applied (was {})", loaded.version(), now.version());
      }
      return Future.succeededFuture(current.get());
    });
  }

  /**
   * A reload now unless one is under way (a poll, a notification, or a write that met a fence). A map this
   * node cannot apply is logged (once a minute): the node routes by its old map meanwhile.
   */
  void reloadSoon() {
    if (reloading.compareAndSet(false, true)) {
      reload().onComplete(ar -> {
        reloading.set(false);
        if (ar.failed() && ar.cause() instanceof IllegalStateException) {
          long suppressed = FAILURE_LOG.admit("unusable");
          if (suppressed >= 0) {
            LOG.error("the shard map cannot be applied, this node keeps version {}: {}{}", current.get().version(),
                ar.cause().getMessage(), ThrottledLog.suffix(suppressed));
          }
        }
      });
    }
  }

  /**
   * Starts following the map (once per node, whichever data verticle asks first): LISTEN on a connection of
   * its own to the first shard, and the poll.
   */
  void watch(Vertx vertx, PgConnectOptions firstShard, long pollMs, MeterRegistry registry) {
    if (!watching.compareAndSet(false, true)) {
      return;
    }
    this.vertx = vertx;
    this.listenOptions = firstShard;
    if (registry != null) {
      Gauge.builder("spillway_shard_map_version", this, m -> m.current().version())
          .description("Version of the shard map this node routes by").register(registry);
    }
    pollTimer = vertx.setPeriodic(pollMs, t -> reloadSoon());
    listen();
  }

  private void listen() {
    if (stopped) {
      return;
    }
    PgConnection.connect(vertx, listenOptions)
        .compose(conn -> {
          conn.notificationHandler(n -> reloadSoon());
          conn.closeHandler(v -> {
            listener = null;
            if (!stopped) {
              vertx.setTimer(1000, t -> listen());
            }
          });
          return conn.query("LISTEN " + CHANNEL).execute().map(conn).onFailure(err -> conn.close());
        })
        .onSuccess(conn -> {
          if (stopped) {
            conn.close();
            return;
          }
          listener = conn;
          // A version announced while no connection listened is picked up now.
          reloadSoon();
        })
        .onFailure(err -> vertx.setTimer(1000, t -> listen()));
  }

  /** Stops following the map (the node is stopping). */
  Future<Void> stop() {
    stopped = true;
    if (vertx != null && pollTimer >= 0) {
      vertx.cancelTimer(pollTimer);
    }
    PgConnection c = listener;
    listener = null;
    return c == null ? Future.succeededFuture() : c.close();
  }

  private static Integer[] boxed(int[] values) {
    Integer[] out = new Integer[values.length];
    for (int i = 0; i < values.length; i++) {
      out[i] = values[i];
    }
    return out;
  }
}
