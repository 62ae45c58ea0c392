package io.spillway;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import io.spillway.config.AppConfig;
import io.spillway.config.ConfigException;
import io.spillway.config.ConfigReader;
import io.spillway.auth.PasswordHasher;
import io.spillway.cache.ReadCache;
import io.spillway.data.DataVerticle;
import io.spillway.data.LiveShardMap;
import io.spillway.data.Seeder;
import io.spillway.feed.FanOutVerticle;
import io.spillway.limit.RateLimiter;
import io.spillway.observe.Readiness;
import io.spillway.observe.Telemetry;
import io.spillway.outbox.OutboxVerticle;
import io.spillway.push.StreamVerticle;
import io.spillway.reshard.ReshardVerticle;
import io.spillway.server.CallerHandler;
import io.spillway.server.HttpVerticle;
import io.spillway.server.LimitsUpdate;
import io.spillway.server.ManagementVerticle;
import io.spillway.server.ShardCommand;
import io.spillway.server.NodeServices;
import io.spillway.observe.HttpMetrics;
import io.vertx.redis.client.Redis;
import io.vertx.core.Deployable;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;

/**
 * A Spillway node: config -> Vertx -> verticles, and a graceful stop. {@code main} is the production entry
 * point ({@code java -jar spillway.jar -conf conf/prod.json}).
 */
public final class Spillway {
  private static final Logger LOG = LoggerFactory.getLogger(Spillway.class);
  public static final Path DEFAULT_CONFIG = Path.of("conf", "config.json");

  private final Vertx vertx;
  private final AppConfig config;
  private final Telemetry telemetry;
  private final Redis redis;
  private final Redis historyRedis;
  private static final long LEASE_REFUND_PERIOD_MS = 250;
  /** The least time a verticle's undeploy gets in a stop, even past the grace period. */
  private static final long MIN_UNDEPLOY_MS = 1_000;
  /** What a stop may take past its grace period, Vert.x's own close included. */
  private static final long CLOSE_MS = 10_000;
  private final RateLimiter limiter;
  private final CallerHandler callers;
  private final LimitsUpdate limitsUpdate;
  private final ReadCache cache;
  private final NodeServices services;
  /** The shard map the node routes by: one per node, followed by the data layer, read by the shard mover. */
  private final LiveShardMap shardMap;
  private final AtomicBoolean stopping = new AtomicBoolean();
  /** What {@link #deploy()} started, in order: the stop undeploys it in reverse. */
  private final List<Deployed> deployments = new CopyOnWriteArrayList<>();

  private record Deployed(String name, String id) {}

  private Spillway(Vertx vertx, AppConfig config, Telemetry telemetry) {
    this.vertx = vertx;
    this.config = config;
    this.telemetry = telemetry;
    this.shardMap = new LiveShardMap(config.data());
    // One Redis client per node (its pool sized by redis.*), shared by the limiter, the push and the HTTP
    // verticles; one limiter and one door, shared by every HttpVerticle instance.
    this.redis = Redis.createClient(vertx, config.redis().clientOptions());
    this.limiter = RateLimiter.create(redis, config.limits(), telemetry.registry());
    this.callers = new CallerHandler(config.limits().trustedProxies());
    this.limitsUpdate = new LimitsUpdate(limiter, callers);
    this.cache = ReadCache.start(vertx, config.cache(), redis, "spillway:cache:", telemetry.registry());
    // The password-hashing executor is made here, outside any verticle: made in an HttpVerticle's start it would
    // close when that one instance undeploys, under the requests the other instances are still draining.
    PasswordHasher.shared(vertx, config.auth(), telemetry.registry());
    // Channel history may live in a Redis of its own (stream.history.redisUri): it is allowed to evict, the
    // limiter's Redis is not (an evicted bucket is a fresh burst for its client).
    String historyUri = config.stream().historyRedisUri();
    this.historyRedis = historyUri.isEmpty() ? redis
        : Redis.createClient(vertx, config.redis().clientOptions().setConnectionString(historyUri));
    this.services = new NodeServices(redis, limiter, callers, cache,
        telemetry.prometheus() == null ? null : new HttpMetrics(telemetry.prometheus()), historyRedis);
  }

  public static void main(String[] args) {
    if (args.length > 0 && args[0].equals("shards")) {
      // The shard admin from a shell (docs/resharding.md): one call to a running node's management port.
      System.exit(ShardCommand.run(loadOrExit(args), commandArgs(args), System.out, System.err));
    }
    run(loadOrExit(args), seedCount(args), args);
  }

  /** The arguments after {@code shards}, without {@code -conf FILE}. */
  static List<String> commandArgs(String[] args) {
    List<String> out = new ArrayList<>();
    for (int i = 1; i < args.length; i++) {
      if (args[i].equals("-conf") || args[i].equals("--conf")) {
        i++;
      } else {
        out.add(args[i]);
      }
    }
    return out;
  }

  /**
   * {@code --seed} creates accounts anyone can log into (their password is in the docs): dev mode only. A
   * production node asked to seed exits with code 2 before it starts anything.
   */
  static void refuseSeedOutsideDev(AppConfig config, int seedUsers) {
    if (seedUsers > 0 && !config.devMode()) {
      System.err.println("spillway: --seed creates accounts with a published password and is only allowed in dev "
          + "mode (mode=dev)");
      System.exit(2);
    }
  }

  /**
   * Starts a node, seeds {@code seedUsers} demo users when > 0, and installs the signal handlers; a failed
   * start ends the process with exit code 1.
   */
  public static void run(AppConfig config, int seedUsers, String[] args) {
    refuseSeedOutsideDev(config, seedUsers);
    try {
      Spillway node = start(config).await();
      if (seedUsers > 0) {
        String hash = PasswordHasher.hashNow(Seeder.PASSWORD, config.passwordIterations());
        new Seeder(node.vertx).seed(seedUsers, hash).await();
      }
      node.stopOnSignal();
      node.reloadOnHangup(args);
    } catch (Exception e) {
      LOG.error("spillway failed to start: {}", e.getMessage(), e);
      System.exit(1);
    }
  }

  /** Parses {@code -conf FILE} and the environment; a bad value ends the process with exit code 2. */
  public static AppConfig loadOrExit(String[] args) {
    return loadOrExit(args, System.getenv());
  }

  /**
   * Like {@link #loadOrExit(String[])} with {@code env} as the environment, the top layer of the config (dev
   * mode adds the address of the broker it started there).
   */
  public static AppConfig loadOrExit(String[] args, Map<String, String> env) {
    try {
      Path file = configFile(args);
      AppConfig config = AppConfig.load(file, env);
      applyLogLevel(config.logLevel());
      return config;
    } catch (ConfigException e) {
      System.err.println("spillway: invalid configuration: " + e.getMessage());
      System.exit(2);
      throw e;
    }
  }

  /** {@code --seed N}: how many demo users to create at start (0: none). */
  public static int seedCount(String[] args) {
    for (int i = 0; i < args.length - 1; i++) {
      if (args[i].equals("--seed")) {
        try {
          int n = Integer.parseInt(args[i + 1]);
          if (n >= 0 && n <= 1_000_000) {
            return n;
          }
        } catch (NumberFormatException ignored) {
          // Reported below.
        }
        System.err.println("spillway: --seed needs a number of users in 0..1000000");
        System.exit(2);
      }
    }
    return 0;
  }

  static Path configFile(String[] args) {
    for (int i = 0; i < args.length; i++) {
      if (args[i].equals("-conf") || args[i].equals("--conf")) {
        if (i + 1 >= args.length) {
          throw new ConfigException("-conf needs a file name");
        }
        return Path.of(args[i + 1]);
      }
    }
    return Files.exists(DEFAULT_CONFIG) ? DEFAULT_CONFIG : null;
  }

  /** Starts a node with {@code config}; the future completes when every verticle is deployed and listening. */
  public static Future<Spillway> start(AppConfig config) {
    long t0 = System.nanoTime();
    Telemetry telemetry = Telemetry.create(config.observe());
    Vertx vertx = telemetry.newVertx(new VertxOptions().setPreferNativeTransport(true));
    Spillway node = new Spillway(vertx, config, telemetry);
    // The caller's future is bound to no context: when the start fails, this Vertx's event loops stop, and a
    // future bound to one of them would never tell the caller.
    Promise<Spillway> started = Promise.promise();
    node.deploy().onComplete(ar -> {
      if (ar.succeeded()) {
        LOG.info("spillway started in {} ms: http on {}:{} x{}, management on {}, {} shard(s), mode {}",
            (System.nanoTime() - t0) / 1_000_000, config.http().host(), config.http().port(),
            config.http().instances(), config.management().port(), config.data().shards().size(), config.mode());
        started.complete(node);
        return;
      }
      Throwable err = ar.cause();
      LOG.error("spillway failed to start, stopping: {}", String.valueOf(err), err);
      // Closed from one of its own event loops, the Vertx would complete the close on a loop it has just
      // stopped: close it from a thread of its own.
      new Thread(() -> vertx.close().onComplete(closed -> {
        telemetry.close();
        started.fail(err);
      }), "spillway-failed-start").start();
    });
    return started.future();
  }

  private Future<Void> deploy() {
    List<String> owners = new ArrayList<>(List.of(DataVerticle.HEALTH_OWNER, HttpVerticle.REDIS_HEALTH_OWNER));
    boolean kafka = !config.kafka().bootstrapServers().isBlank();
    if (!kafka) {
      LOG.warn("kafka.bootstrapServers is empty: real-time push and the outbox relay are off on this node");
    }
    // Unspent units of dropped rate-limit leases go back to their policies a few times a second.
    vertx.setPeriodic(LEASE_REFUND_PERIOD_MS, id -> limiter.refundDroppedLeases());
    Future<Void> chain = limiter.loadScript()
        .compose(v -> deploy("data", DataVerticle.instances(config, telemetry.registry(), shardMap, redis),
            config.data().instances()))
        .compose(v -> deploy("reshard", () -> new ReshardVerticle(config, telemetry.registry(), shardMap), 1));
    if (kafka && config.stream().instances() > 0) {
      owners.add(StreamVerticle.HEALTH_OWNER);
      chain = chain.compose(v -> deploy("stream",
          () -> new StreamVerticle(config, telemetry.registry(), historyRedis, telemetry.eventSpans()),
          config.stream().instances()));
    }
    if (kafka && config.feed().timelines() && config.feed().instances() > 0) {
      chain = chain.compose(v -> deploy("fan-out",
          () -> new FanOutVerticle(config, telemetry.registry(), telemetry.eventSpans()), config.feed().instances()));
    }
    if (kafka && config.stream().outboxInstances() > 0) {
      chain = chain.compose(v -> deploy("outbox",
          () -> new OutboxVerticle(config, telemetry.registry(), telemetry.eventSpans()),
          config.stream().outboxInstances()));
    }
    if (config.management().enabled()) {
      chain = chain.compose(v -> deploy("management",
          () -> new ManagementVerticle(config, owners, telemetry, limitsUpdate), 1));
    }
    return chain.compose(v -> deploy("http", () -> new HttpVerticle(config, owners, telemetry, services),
        config.http().instances()));
  }

  private Future<Void> deploy(String name, Supplier<? extends Deployable> verticle, int instances) {
    return vertx.deployVerticle(verticle, new DeploymentOptions().setInstances(instances))
        .onSuccess(id -> deployments.add(new Deployed(name, id)))
        .mapEmpty();
  }

  /** Re-reads the limits from {@code config} (SIGHUP): new limits apply without a restart. */
  public void reloadLimits(AppConfig fresh) {
    limitsUpdate.apply(fresh.limits());
  }

  /**
   * Graceful stop: readiness fails and responses carry {@code Connection: close} for {@code
   * shutdown.drainDelayMs} while the node still serves; then the HTTP servers stop accepting, in-flight
   * requests get {@code shutdown.timeoutMs} to finish, WebSockets are closed with 1001, and everything else
   * is undeployed.
   */
  public Future<Void> stop() {
    if (!stopping.compareAndSet(false, true)) {
      return Future.succeededFuture();
    }
    // Drain: readiness fails at once and every response says Connection: close, but the node keeps serving
    // for shutdown.drainDelayMs so balancers notice and send new requests elsewhere; then the HTTP servers
    // stop accepting and finish what is in flight.
    Readiness.of(vertx).drain();
    LOG.info("spillway draining: readiness fails, serving {} ms more, then stopping (grace {} ms)",
        config.shutdownDrainDelayMs(), config.shutdownTimeoutMs());
    Future<Void> chain = config.shutdownDrainDelayMs() == 0 ? Future.succeededFuture()
        : vertx.timer(config.shutdownDrainDelayMs()).mapEmpty();
    // Undeploy in reverse order: the HTTP servers drain first while the data layer still answers them. The
    // whole stop is bounded: a verticle whose undeploy is still running at the grace period's end (or a
    // second after it began, when the period is spent) is left behind with a warning, so one stuck verticle
    // cannot hold the others, or the caller, for ever.
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(config.shutdownDrainDelayMs()
        + config.shutdownTimeoutMs());
    List<Deployed> reversed = new ArrayList<>(deployments);
    Collections.reverse(reversed);
    for (Deployed d : reversed) {
      chain = chain.compose(v -> {
        long boundMs = Math.max(MIN_UNDEPLOY_MS, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime()));
        return vertx.undeploy(d.id()).timeout(boundMs, TimeUnit.MILLISECONDS).recover(err -> {
          LOG.warn("undeploying the {} verticles failed or overran its {} ms: {}", d.name(), boundMs, err.toString());
          return Future.succeededFuture();
        });
      });
    }
    // The caller's future is bound to no context: the event loops are gone by the time it completes. Vert.x's
    // close undeploys what is left, a verticle left behind above included, so it is bounded too: past it, the
    // caller hears of the overrun and the close goes on without it.
    Promise<Void> stopped = Promise.promise();
    chain.eventually(limiter::returnLeases).eventually(cache::close)
        .eventually(() -> historyRedis == redis ? Future.succeededFuture() : historyRedis.close())
        .eventually(redis::close)
        .onComplete(x -> vertx.close().onComplete(ar -> {
          telemetry.close();
          if (ar.succeeded()) {
            stopped.tryComplete();
          } else {
            stopped.tryFail(ar.cause());
          }
        }));
    long boundMs = config.shutdownDrainDelayMs() + config.shutdownTimeoutMs() + CLOSE_MS;
    CompletableFuture.delayedExecutor(boundMs, TimeUnit.MILLISECONDS).execute(() -> {
      if (stopped.tryFail("the stop overran its " + boundMs + " ms")) {
        LOG.warn("the stop overran its {} ms; Vert.x is still closing", boundMs);
      }
    });
    return stopped.future();
  }

  public Vertx vertx() {
    return vertx;
  }

  public AppConfig config() {
    return config;
  }

  public Telemetry telemetry() {
    return telemetry;
  }

  public RateLimiter limiter() {
    return limiter;
  }

  /** On SIGTERM or SIGINT: stop gracefully, then exit 0 (1 when the stop failed or overran its bound). */
  @SuppressWarnings("restriction")
  public void stopOnSignal() {
    sun.misc.SignalHandler handler = sig -> new Thread(() -> {
      boolean clean;
      try {
        stop().toCompletionStage().toCompletableFuture().get();
        clean = true;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        clean = false;
      } catch (ExecutionException e) {
        LOG.warn("the stop failed: {}", String.valueOf(e.getCause()));
        clean = false;
      }
      LOG.info("spillway stopped{}", clean ? "" : " (not cleanly)");
      System.exit(clean ? 0 : 1);
    }, "spillway-shutdown").start();
    sun.misc.Signal.handle(new sun.misc.Signal("TERM"), handler);
    sun.misc.Signal.handle(new sun.misc.Signal("INT"), handler);
  }

  /** On SIGHUP: read the config file and environment again and apply the new rate limits. */
  @SuppressWarnings("restriction")
  void reloadOnHangup(String[] args) {
    sun.misc.Signal.handle(new sun.misc.Signal("HUP"), sig -> {
      try {
        reloadLimits(AppConfig.load(configFile(args), System.getenv()));
      } catch (ConfigException e) {
        LOG.error("config reload refused, the running limits stay: {}", e.getMessage());
      }
    });
  }

  static void applyLogLevel(String level) {
    if (LoggerFactory.getILoggerFactory() instanceof LoggerContext ctx) {
      ctx.getLogger("io.spillway").setLevel(Level.toLevel(level));
    }
  }
}
