package io.spillway.data;

import io.spillway.observe.ThrottledLog;
import io.spillway.web.Consistency;
import io.spillway.web.LocalCodec;
import io.micrometer.core.instrument.MeterRegistry;
import io.spillway.config.AppConfig;
import io.spillway.config.FeedConfig;
import io.spillway.events.OutboxCommits;
import io.spillway.observe.HealthChecks;
import io.spillway.observe.HealthReport;
import io.spillway.observe.TraceContext;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.pgclient.PgException;
import io.vertx.redis.client.Redis;
import io.vertx.sqlclient.Pool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Owns the shard pools and serves the data operations ({@link Requests}) on the event bus. HttpVerticles
 * never talk to PostgreSQL themselves. Migrations run on every shard before the first request is served. An
 * operation's consistency token arrives in a message header and the positions its writes reached go back in
 * the reply's ({@link Consistency}).
 */
public final class DataVerticle extends VerticleBase {
  public static final String HEALTH_OWNER = "data";
  private static final Logger LOG = LoggerFactory.getLogger(DataVerticle.class);
  private static final DeliveryOptions REPLY = LocalCodec.options(30_000);

  private static final int RECENT_WRITERS = 100_000;
  private static final DeliveryOptions LOCAL = new DeliveryOptions().setLocalOnly(true);
  /** The requests whose transaction writes outbox rows: their success wakes the node's outbox relays. */
  private static final Set<Class<?>> OUTBOX_WRITES = Set.of(Requests.CreatePost.class, Requests.DeletePost.class,
      Requests.CreateComment.class, Requests.SetLike.class, Requests.SetFollow.class, Requests.UpdateUser.class,
      Requests.IdempotentWrite.class);

  private final AppConfig config;
  private final MeterRegistry registry;
  private final RecentWriters recentWriters;
  private final LiveShardMap shardMap;
  private final Redis redis;
  private ShardPools pools;
  private Shards shards;
  private boolean wakePending;

  private DataVerticle(AppConfig config, MeterRegistry registry, RecentWriters recentWriters, LiveShardMap shardMap,
                       Redis redis) {
    this.config = config;
    this.registry = registry;
    this.recentWriters = recentWriters;
    this.shardMap = shardMap;
    this.redis = redis;
  }

  /**
   * The node's data verticles: every instance shares one record of who wrote recently, so a client's read
   * goes to the primary whichever instance served its write, and routes by the node's one live shard map.
   * {@code redis} (the node's client) holds the feed's timelines.
   */
  public static Supplier<DataVerticle> instances(AppConfig config, MeterRegistry registry, LiveShardMap shardMap,
                                                 Redis redis) {
    RecentWriters shared = new RecentWriters(config.data().readYourWritesMs(), RECENT_WRITERS);
    return () -> new DataVerticle(config, registry, shared, shardMap, redis);
  }

  @Override
  public Future<?> start() {
    LocalCodec.register(vertx);
    pools = ShardPools.create(vertx, config.data(), registry);
    ReplicaPositions positions = new ReplicaPositions(pools);
    positions.watch(vertx, config.data().replicaPositionRefreshMs());
    shards = new Shards(pools, shardMap.router(), recentWriters, positions, registry);
    OutboxEvents outbox = new OutboxEvents(config.kafka().topic());
    UserStore users = new UserStore(shards, outbox);
    PostStore posts = new PostStore(shards, users, outbox);
    FollowStore follows = new FollowStore(shards, users, outbox);
    FeedConfig feedConfig = config.feed();
    WideAuthors wide = new WideAuthors(redis);
    // Without Kafka nothing fans out, so timelines would go stale: every page is assembled at read time.
    boolean fannedOut = feedConfig.timelines() && !config.kafka().bootstrapServers().isBlank();
    Timelines timelines = fannedOut ? new Timelines(redis, feedConfig.timelineMaxEntries(),
        feedConfig.timelineTtlSeconds(), config.redis().timeoutMs()) : null;
    TimelineBuilder builder = timelines == null ? null
        : new TimelineBuilder(shards, follows, timelines, wide, feedConfig.maxFollowees(), registry);
    FeedReader feed = new FeedReader(shards, follows, users, timelines, builder, wide, feedConfig.maxFollowees(),
        registry);
    IdempotencyStore idempotency = new IdempotencyStore(shards, posts, users);
    ApiKeyStore apiKeys = new ApiKeyStore(shards);
    AccountStore accounts = new AccountStore(shards);

    on(Requests.CreateUser.class, users::create);
    on(Requests.GetUser.class, users::get);
    on(Requests.UpdateUser.class, users::update);
    on(Requests.FindCredentials.class, users::credentials);
    on(Requests.CreatePost.class, posts::create);
    on(Requests.GetPost.class, posts::get);
    on(Requests.DeletePost.class, posts::delete);
    on(Requests.ListUserPosts.class, posts::listByAuthor);
    on(Requests.CreateComment.class, posts::comment);
    on(Requests.ListComments.class, posts::comments);
    on(Requests.SetLike.class, posts::like);
    on(Requests.SetFollow.class, follows::set);
    on(Requests.ListFollows.class, follows::list);
    on(Requests.ReadFeed.class, feed::read);
    on(Requests.RebuildTimeline.class, req -> builder == null ? Future.succeededFuture(-1)
        : builder.rebuild(req.userId(), true));
    if (timelines != null) {
      FanOut fanOut = new FanOut(shards, follows, timelines, wide, feedConfig.fanoutMaxFollowers(),
          feedConfig.fanoutPageSize());
      on(Requests.FanOutPost.class, fanOut::post);
      on(Requests.FollowChanged.class, fanOut::follow);
      wide.watch(vertx, feedConfig.wideAuthorsRefreshMs());
    }
    BatchReads batches = new BatchReads(shards);
    on(Requests.GetUsers.class, batches::users);
    on(Requests.GetPosts.class, batches::posts);
    on(Requests.LatestComments.class, batches::latestComments);
    on(Requests.LikedPosts.class, batches::liked);
    on(Requests.CreateApiKey.class, apiKeys::create);
    on(Requests.ListApiKeys.class, apiKeys::list);
    on(Requests.RevokeApiKey.class, apiKeys::revoke);
    on(Requests.FindApiKey.class, apiKeys::find);
    on(Requests.TouchApiKeys.class, apiKeys::touch);
    on(Requests.GetAccountPlan.class, accounts::get);
    on(Requests.SetAccountPlan.class, accounts::set);
    on(Requests.ReplacePasswordHash.class, accounts::rehash);
    this.<Model.StoredResponse, Requests.IdempotentWrite<?>>on(idempotentWrites(), idempotency::run);
    vertx.eventBus().consumer(HealthChecks.ADDRESS_PREFIX + HEALTH_OWNER,
        msg -> checkShards().onSuccess(reports -> msg.reply(HealthChecks.toJson(reports))));
    // Half-written follows (the other shard was down, or a node died between the two) are completed here.
    vertx.setPeriodic(1_000, t -> follows.repair());
    vertx.setPeriodic(600_000, 600_000, t -> idempotency.expire()
        .onFailure(err -> LOG.warn("expiring idempotency keys failed: {}", err.getMessage())));
    return migrate()
        .compose(v -> shardMap.load(pools.primary(0)))
        .onSuccess(map -> {
          shardMap.watch(vertx, ShardPools.connectOptions(config.data().shards().get(0)),
              config.data().resharding().pollMs(), registry);
          new OutboxBacklog(pools, registry).watch(vertx, 5_000);
        });
  }

  private Future<Void> migrate() {
    List<Future<Integer>> all = new ArrayList<>();
    for (int i = 0; i < pools.size(); i++) {
      all.add(Migrations.apply(pools.primary(i), config.data().shards().get(i).describe()));
    }
    return Future.all(all).mapEmpty();
  }

  @SuppressWarnings({"unchecked", "rawtypes"})
  private static Class<Requests.IdempotentWrite<?>> idempotentWrites() {
    return (Class) Requests.IdempotentWrite.class;
  }

  /** Serves requests of {@code type}; the handler's answer type is the one the request declares. */
  private <R, Q extends DataRequest<R>> void on(Class<Q> type, Function<Q, Future<R>> handler) {
    vertx.eventBus().<Q>localConsumer(DataRequest.address(type), msg -> {
      TraceContext.attach(msg.headers().get(TraceContext.HEADER));
      Future<R> result;
      try {
        String token = msg.headers().get(Consistency.HEADER);
        if (token != null) {
          // Checked by the HTTP layer before it was sent.
          Consistency.require(Consistency.parse(token));
        }
        result = handler.apply(msg.body());
      } catch (RuntimeException e) {
        result = Future.failedFuture(e);
      }
      result.onComplete(ar -> {
        if (ar.succeeded()) {
          shards.written().onComplete(written -> msg.reply(ar.result(), written.result() == null ? REPLY
              : new DeliveryOptions(REPLY).addHeader(Consistency.HEADER, written.result().toString())));
          if (OUTBOX_WRITES.contains(type)) {
            outboxCommitted();
          }
        } else {
          fail(msg, ar.cause());
        }
      });
    });
  }

  /** Wakes the node's outbox relays: one message per turn of this event loop, however many writes it saw. */
  private void outboxCommitted() {
    if (!wakePending) {
      wakePending = true;
      vertx.runOnContext(v -> {
        wakePending = false;
        vertx.eventBus().publish(OutboxCommits.ADDRESS, null, LOCAL);
      });
    }
  }

  /** One line per operation and kind of failure every 10 s: a dead shard must not flood the log. */
  private static final ThrottledLog FAILURE_LOG = new ThrottledLog(10_000, System::currentTimeMillis);

  private void fail(Message<?> msg, Throwable err) {
    if (Failures.fenced(err)) {
      // The logical shard is being cut over, or has moved and this node's map is behind: the client retries
      // in a moment, by when the map here is current.
      shardMap.reloadSoon();
      msg.fail(503, "this part of the data is being moved to another database, retry in a moment");
      return;
    }
    failTraced(msg, err);
  }

  private static void failTraced(Message<?> msg, Throwable err) {
    String traceparent = TraceContext.current();
    try (MDC.MDCCloseable trace = MDC.putCloseable("traceId",
        traceparent == null ? null : TraceContext.traceId(traceparent))) {
      failLogged(msg, err);
    }
  }

  private static void failLogged(Message<?> msg, Throwable err) {
    if (err instanceof DataException de) {
      if (de.status() == 503) {
        long suppressed = FAILURE_LOG.admit(msg.address() + " fast");
        if (suppressed >= 0) {
          LOG.warn("data operation {} refused: {}{}", msg.address(), de.getMessage(), ThrottledLog.suffix(suppressed));
        }
      }
      msg.fail(de.status(), de.getMessage());
    } else if (Failures.retryable(err)) {
      // Connection refused or closed, pool exhausted, a statement timeout, a serialization failure: the
      // shard cannot serve this now; a retry may work.
      long suppressed = FAILURE_LOG.admit(msg.address() + " unavailable");
      if (suppressed >= 0) {
        LOG.warn("data operation {} failed: {}{}", msg.address(), String.valueOf(err), ThrottledLog.suffix(suppressed));
      }
      msg.fail(503, "a database shard is unavailable");
    } else if (err instanceof PgException pg) {
      long suppressed = FAILURE_LOG.admit(msg.address() + " " + pg.getSqlState());
      if (suppressed >= 0) {
        LOG.error("query failed for {}: {} (SQLSTATE {}){}", msg.address(), pg.getErrorMessage(), pg.getSqlState(),
            ThrottledLog.suffix(suppressed));
      }
      msg.fail(500, "the database rejected the request");
    } else {
      long suppressed = FAILURE_LOG.admit(msg.address() + " " + err.getClass().getName());
      if (suppressed >= 0) {
        LOG.error("data operation {} failed{}", msg.address(), ThrottledLog.suffix(suppressed), err);
      }
      msg.fail(500, "the data layer failed");
    }
  }

  private Future<List<HealthReport>> checkShards() {
    List<Future<HealthReport>> checks = new ArrayList<>();
    for (int i = 0; i < pools.size(); i++) {
      checks.add(ping("pg-shard-" + i, pools.rawPrimary(i)));
      List<Pool> replicas = pools.replicas(i);
      for (int j = 0; j < replicas.size(); j++) {
        checks.add(ping("pg-shard-" + i + "-replica-" + j, pools.rawReplica(i, j)));
      }
    }
    return Future.join(checks).otherwiseEmpty().map(v -> checks.stream().map(Future::result).toList());
  }

  private static Future<HealthReport> ping(String name, Pool pool) {
    return pool.query("SELECT 1").execute()
        .map(rows -> HealthReport.up(name))
        .otherwise(err -> HealthReport.down(name, err));
  }

  @Override
  public Future<?> stop() {
    return shardMap.stop().eventually(() -> pools == null ? Future.succeededFuture() : pools.close());
  }
}
