package io.spillway.cache;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;

import java.util.EnumMap;
import java.util.Map;

/**
 * {@code spillway_cache_*}: reads by kind and by the layer that answered, evictions, invalidations by source,
 * Redis failures, and the near cache's size. Every series is registered up front, so a scrape shows zeros
 * rather than missing series. Without a registry every call is a no-op.
 */
final class CacheMetrics {
  /** Which layer answered a read. */
  enum Result {
    NEAR_HIT("near_hit"),
    REDIS_HIT("redis_hit"),
    MISS("miss");

    final String label;

    Result(String label) {
      this.label = label;
    }
  }

  private final Map<CacheKey.Kind, Counter[]> reads = new EnumMap<>(CacheKey.Kind.class);
  private final Counter evictions;
  private final Counter writeInvalidations;
  private final Counter eventInvalidations;
  private final Counter redisFailures;
  private final Map<CacheKey.Kind, Counter> refreshes = new EnumMap<>(CacheKey.Kind.class);

  CacheMetrics(MeterRegistry registry) {
    if (registry == null) {
      evictions = writeInvalidations = eventInvalidations = redisFailures = null;
      return;
    }
    for (CacheKey.Kind kind : CacheKey.Kind.values()) {
      Counter[] byResult = new Counter[Result.values().length];
      for (Result r : Result.values()) {
        byResult[r.ordinal()] = Counter.builder("spillway.cache.reads")
            .description("Cached reads by resource kind and by the layer that answered (a miss went to the data layer)")
            .tag("kind", kind.label()).tag("result", r.label).register(registry);
      }
      reads.put(kind, byResult);
      refreshes.put(kind, Counter.builder("spillway.cache.refreshes")
          .description("Near-cache entries reloaded in the background because readers kept reading them near their end")
          .tag("kind", kind.label()).register(registry));
    }
    evictions = Counter.builder("spillway.cache.evictions")
        .description("Near-cache entries evicted to stay within its entry and byte bounds").register(registry);
    writeInvalidations = Counter.builder("spillway.cache.invalidations")
        .description("Cache entries dropped because of a write").tag("source", "write").register(registry);
    eventInvalidations = Counter.builder("spillway.cache.invalidations")
        .description("Cache entries dropped because of a write").tag("source", "event").register(registry);
    redisFailures = Counter.builder("spillway.cache.redis.failures")
        .description("Cache reads and writes that Redis did not answer in time (the read fell through)")
        .register(registry);
  }

  void gauges(MeterRegistry registry, NearCache near) {
    if (registry == null) {
      return;
    }
    Gauge.builder("spillway.cache.near.entries", near, NearCache::size)
        .description("Entries in this node's near cache").register(registry);
    Gauge.builder("spillway.cache.near.bytes", near, NearCache::weight)
        .description("Weighed bytes in this node's near cache").baseUnit("bytes").register(registry);
  }

  void read(CacheKey.Kind kind, Result result) {
    Counter[] byResult = reads.get(kind);
    if (byResult != null) {
      byResult[result.ordinal()].increment();
    }
  }

  void refreshed(CacheKey.Kind kind) {
    Counter c = refreshes.get(kind);
    if (c != null) {
      c.increment();
    }
  }

  void evicted() {
    if (evictions != null) {
      evictions.increment();
    }
  }

  void invalidated(boolean byEvent) {
    Counter c = byEvent ? eventInvalidations : writeInvalidations;
    if (c != null) {
      c.increment();
    }
  }

  void redisFailed() {
    if (redisFailures != null) {
      redisFailures.increment();
    }
  }
}
