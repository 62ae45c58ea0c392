package io.spillway.cache;

import io.spillway.web.Consistency;
import io.micrometer.core.instrument.MeterRegistry;
import io.spillway.config.CacheConfig;
import io.spillway.events.CommittedEvent;
import io.spillway.redis.SingleFlight;
import io.spillway.web.RefreshAhead;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.redis.client.Redis;

import java.util.ArrayList;
import java.util.List;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * The node's read cache, between the REST handlers and the data layer: a near cache per node, then Redis, then
 * the loader (the data layer), with one load per key at a time. One per node, shared by every HttpVerticle.
 *
 * <p>Writes: the node that wrote drops the entry at once ({@link #wrote}: near cache emptied, Redis held), so
 * its client reads its own write; every node drops it again when the committed event arrives from Kafka
 * ({@link CommittedEvent}), so all nodes converge within the event's delivery time, and at the latest within
 * {@code cache.near.ttlMs} if events are delayed. See docs/caching.md.
 */
public final class ReadCache {
  private final CacheConfig config;
  private final NearCache near;
  private final RedisCache redis;
  private final CacheMetrics metrics;
  private final SingleFlight<CacheKey, Entry> flights = new SingleFlight<>();
  private final long maxFillNanos;
  private MessageConsumer<CommittedEvent> events;

  private ReadCache(CacheConfig config, Redis redis, String prefix, MeterRegistry registry, LongSupplier nanos) {
    this.config = config;
    this.metrics = new CacheMetrics(registry);
    this.near = config.nearEnabled() ? new NearCache(config, nanos, metrics) : null;
    this.redis = config.redisEnabled() ? new RedisCache(redis, config, prefix, metrics) : null;
    this.maxFillNanos = config.holdMs() * 1_000_000L / 2;
    if (near != null) {
      metrics.gauges(registry, near);
    }
  }

  /**
   * A cache for this node that follows committed events on {@code vertx}'s event bus. {@code registry} may be
   * null; {@code keyPrefix} starts every Redis key (e.g. {@code spillway:cache:}).
   */
  public static ReadCache start(Vertx vertx, CacheConfig config, Redis redis, String keyPrefix, MeterRegistry registry) {
    return start(vertx, config, redis, keyPrefix, registry, System::nanoTime);
  }

  /** {@link #start} with the near cache on the clock {@code nanos}. */
  static ReadCache start(Vertx vertx, CacheConfig config, Redis redis, String keyPrefix, MeterRegistry registry,
                         LongSupplier nanos) {
    ReadCache cache = new ReadCache(config, redis, keyPrefix, registry, nanos);
    if (config.enabled()) {
      cache.events = vertx.eventBus().localConsumer(CommittedEvent.ADDRESS, msg -> cache.changed(msg.body()));
    }
    return cache;
  }

  /**
   * The entry for {@code key}: from this node's memory when it has it (no I/O: the future is already
   * complete), else from Redis, else from {@code load}, whose answer is then cached. A failed load is not
   * cached and fails the read. A request that carries a consistency token ({@link Consistency}) skips the
   * caches and neither reads nor fills them: another node's cache may still hold what was there before the
   * client's write, and the data layer sends such a read only where the write is visible.
   */
  public Future<Entry> get(CacheKey key, Supplier<Future<Entry>> load) {
    if (!config.enabled() || Consistency.required() != null) {
      return load.get();
    }
    if (near != null) {
      RefreshAhead<Entry> hit = near.get(key);
      if (hit != null) {
        metrics.read(key.kind(), CacheMetrics.Result.NEAR_HIT);
        if (near.claimRefresh(hit)) {
          refresh(key, load);
        }
        return Future.succeededFuture(hit.value());
      }
    }
    return flights.run(key, () -> fetch(key, load, true));
  }

  /**
   * Reloads a near entry that is due (see {@link NearCache}) while its readers are answered from it: through
   * the same flight as a miss, so a reload and a miss of one key make one read. A failed reload changes
   * nothing; the entry then expires as usual.
   */
  private void refresh(CacheKey key, Supplier<Future<Entry>> load) {
    metrics.refreshed(key.kind());
    flights.run(key, () -> fetch(key, load, false));
  }

  /** {@code counted}: a reader waits for this fetch, so it counts as that reader's read (a reload does not). */
  private Future<Entry> fetch(CacheKey key, Supplier<Future<Entry>> load, boolean counted) {
    long stamp = near == null ? 0 : near.stamp();
    long started = System.nanoTime();
    Future<RedisCache.Lookup> shared = redis == null ? Future.succeededFuture(RedisCache.Lookup.UNAVAILABLE)
        : redis.get(key);
    return shared.compose(found -> {
      if (found.state() == RedisCache.State.FOUND) {
        if (counted) {
          metrics.read(key.kind(), CacheMetrics.Result.REDIS_HIT);
        }
        fillNear(key, found.entry(), stamp, started);
        return Future.succeededFuture(found.entry());
      }
      if (counted) {
        metrics.read(key.kind(), CacheMetrics.Result.MISS);
      }
      return load.get().onSuccess(entry -> {
        fillNear(key, entry, stamp, started);
        if (found.state() == RedisCache.State.ABSENT && System.nanoTime() - started < maxFillNanos) {
          redis.fill(key, entry);
        }
      });
    });
  }

  private void fillNear(CacheKey key, Entry entry, long stamp, long started) {
    if (near != null) {
      near.fill(key, entry, stamp, started);
    }
  }

  /**
   * This node wrote {@code keys}: drops them from the near cache and holds them in Redis, so the writer's next
   * read, here or on any node that misses its near cache, sees the write. Never fails: a Redis that does not
   * answer leaves the entries to their TTL and to the committed events.
   */
  public Future<Void> wrote(CacheKey... keys) {
    return drop(List.of(keys), false);
  }

  private void changed(CommittedEvent event) {
    drop(Invalidations.keysOf(event), true);
  }

  private Future<Void> drop(List<CacheKey> keys, boolean byEvent) {
    if (!config.enabled() || keys.isEmpty()) {
      return Future.succeededFuture();
    }
    List<Future<Void>> held = new ArrayList<>(keys.size() * 2);
    for (CacheKey key : keys.stream().flatMap(k -> k.withDerived().stream()).toList()) {
      metrics.invalidated(byEvent);
      if (near != null) {
        near.invalidate(key);
      }
      if (redis != null) {
        held.add(redis.hold(key));
      }
    }
    return Future.join(held).mapEmpty();
  }

  public Future<Void> close() {
    return events == null ? Future.succeededFuture() : events.unregister();
  }
}
