package io.spillway.reshard;

import io.micrometer.core.instrument.MeterRegistry;
import io.spillway.config.AppConfig;
import io.spillway.data.LiveShardMap;
import io.spillway.data.ShardPools;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.pgclient.PgConnection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.function.Function;

/**
 * Runs shard moves and answers the admin operations on them (local event-bus addresses, JSON in and out; a
 * refusal fails the message with its HTTP status). One per node; the node holding a session advisory lock on
 * the first shard leads and runs the moves, one at a time, oldest first. When the leader dies its connection
 * closes, the lock goes with it, and another node's verticle takes over at its next poll and resumes each
 * move from its recorded phase.
 */
public final class ReshardVerticle extends VerticleBase {
  /** {@code {}} -> the map, this node's version of it and the moves. */
  public static final String STATUS = "reshard.status";
  /** {@code {"logical", "target"}} -> the move recorded. */
  public static final String MOVE = "reshard.move";
  /** {@code {"logical"}} -> the move, its cancel requested. */
  public static final String CANCEL = "reshard.cancel";
  /** {@code {"logical"}} -> the finished move's source rows removed. */
  public static final String CLEANUP = "reshard.cleanup";

  private static final Logger LOG = LoggerFactory.getLogger(ReshardVerticle.class);
  private static final long LOCK_KEY = 0x5265736861726421L; // "Reshard!"

  private final AppConfig config;
  private final MeterRegistry registry;
  private final LiveShardMap shardMap;
  private ShardPools pools;
  private MoveLog log;
  private ShardMover mover;
  private PgConnection lockConnection;
  private boolean leading;
  private boolean running;
  private boolean stopped;
  private long notBefore;
  private Future<?> current = Future.succeededFuture();

  public ReshardVerticle(AppConfig config, MeterRegistry registry, LiveShardMap shardMap) {
    this.config = config;
    this.registry = registry;
    this.shardMap = shardMap;
  }

  @Override
  public Future<?> start() {
    pools = ShardPools.create(vertx, config.data());
    log = new MoveLog(pools.primary(0));
    mover = new ShardMover(vertx, log, pools, config.data().resharding(), new ReshardMetrics(registry));
    answer(STATUS, body -> status());
    answer(MOVE, body -> log.start(body.getInteger("logical"), body.getInteger("target"))
        .onSuccess(m -> {
          LOG.info("shard move {} requested: logical shard {} from database {} to {}", m.id(), m.logical(),
              m.source(), m.target());
          wake();
        })
        .map(Move::toJson));
    answer(CANCEL, body -> log.requestCancel(body.getInteger("logical")).onSuccess(m -> wake()).map(Move::toJson));
    answer(CLEANUP, body -> cleanup(body.getInteger("logical")));
    vertx.setPeriodic(config.data().resharding().pollMs(), t -> wake());
    return Future.succeededFuture();
  }

  private void answer(String address, Function<JsonObject, Future<JsonObject>> handler) {
    vertx.eventBus().<JsonObject>localConsumer(address, msg -> handle(msg, handler));
  }

  private static void handle(Message<JsonObject> msg, Function<JsonObject, Future<JsonObject>> handler) {
    Future<JsonObject> answer;
    try {
      answer = handler.apply(msg.body());
    } catch (RuntimeException e) {
      answer = Future.failedFuture(e);
    }
    answer.onComplete(ar -> {
      if (ar.succeeded()) {
        msg.reply(ar.result());
      } else if (ar.cause() instanceof MoveRefused r) {
        msg.fail(r.status(), r.getMessage());
      } else {
        LOG.warn("shard admin operation {} failed: {}", msg.address(), String.valueOf(ar.cause()));
        msg.fail(503, "the shard map's database did not answer, try again");
      }
    });
  }

  private Future<JsonObject> status() {
    return log.map().compose(map -> log.recent().map(moves -> {
      JsonArray databases = new JsonArray();
      for (int i = 0; i < config.data().shards().size(); i++) {
        databases.add(new JsonObject().put("index", i).put("database", config.data().shards().get(i).database()));
      }
      JsonArray placement = new JsonArray();
      for (int p : map.physical()) {
        placement.add(p);
      }
      JsonArray moveList = new JsonArray();
      moves.forEach(m -> moveList.add(m.toJson()));
      return new JsonObject().put("version", map.version()).put("nodeVersion", shardMap.current().version())
          .put("runsMoves", leading).put("logicalShards", placement.size()).put("databases", databases)
          .put("map", placement).put("moves", moveList);
    }));
  }

  private Future<JsonObject> cleanup(int logical) {
    return log.cleanable(logical).compose(m -> mover.removeShard(pools.primary(m.source()), logical)
        .compose(removed -> log.cleaned(m.id(), removed).map(removed))
        .map(removed -> {
          LOG.info("shard move {}: removed {} rows of logical shard {} from database {}", m.id(), removed, logical,
              m.source());
          return new JsonObject().put("logical", logical).put("database", m.source()).put("rowsRemoved", removed);
        }));
  }

  /** Runs the moves now, unless a run is under way or a failed step asked to wait. */
  private void wake() {
    if (running || stopped || System.currentTimeMillis() < notBefore) {
      return;
    }
    running = true;
    current = lead().compose(held -> held ? runMoves() : Future.succeededFuture())
        .onComplete(ar -> running = false);
  }

  private Future<Void> runMoves() {
    return log.active().compose(moves -> moves.isEmpty() ? Future.succeededFuture()
        : run(moves.get(0).id()).compose(ended -> ended ? runMoves() : Future.succeededFuture()));
  }

  /** Steps the move until it ends (true) or must wait (false). */
  private Future<Boolean> run(long id) {
    if (stopped || !leading) {
      return Future.succeededFuture(false);
    }
    return mover.step(id).transform(ar -> {
      if (ar.failed()) {
        notBefore = System.currentTimeMillis() + config.data().resharding().retryMs();
        LOG.warn("shard move {}: a step failed, retrying in {} ms: {}", id, config.data().resharding().retryMs(),
            String.valueOf(ar.cause()));
        return log.failed(id, String.valueOf(ar.cause())).otherwiseEmpty().map(false);
      }
      return switch (ar.result()) {
        case ENDED -> Future.succeededFuture(true);
        case LATER -> {
          notBefore = System.currentTimeMillis() + config.data().resharding().retryMs();
          yield Future.succeededFuture(false);
        }
        case NOW -> run(id);
        case PAUSE -> {
          long pause = config.data().resharding().batchPauseMs();
          if (pause == 0) {
            yield run(id);
          }
          Promise<Boolean> later = Promise.promise();
          vertx.setTimer(pause, t -> run(id).onComplete(later));
          yield later.future();
        }
      };
    });
  }

  /** The leader's lock, on a connection of this verticle's own: taken once, held while the connection lives. */
  private Future<Boolean> lead() {
    if (leading && lockConnection != null) {
      return Future.succeededFuture(true);
    }
    Future<PgConnection> conn = lockConnection != null ? Future.succeededFuture(lockConnection)
        : PgConnection.connect(vertx, ShardPools.connectOptions(config.data().shards().get(0))).onSuccess(c -> {
          lockConnection = c;
          c.closeHandler(v -> {
            if (lockConnection == c) {
              lockConnection = null;
              leading = false;
            }
          });
        });
    return conn.compose(c -> c.query("SELECT pg_try_advisory_lock(" + LOCK_KEY + ")").execute())
        .map(rows -> {
          leading = rows.iterator().next().getBoolean(0);
          if (leading) {
            LOG.info("this node runs the shard moves");
          }
          return leading;
        })
        .otherwise(err -> {
          PgConnection c = lockConnection;
          lockConnection = null;
          if (c != null) {
            c.close();
          }
          return false;
        });
  }

  @Override
  public Future<?> stop() {
    stopped = true;
    return current.transform(ar -> {
      PgConnection c = lockConnection;
      lockConnection = null;
      leading = false;
      return c == null ? Future.succeededFuture() : c.close();
    }).eventually(() -> pools.close());
  }
}
