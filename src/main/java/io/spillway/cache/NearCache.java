package io.spillway.cache;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.RemovalCause;
import io.spillway.config.CacheConfig;
import io.spillway.redis.Lifetimes;
import io.spillway.web.Caches;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * The per-node layer: representations in memory, shared by every event loop of the node, so a hit costs a
 * hash lookup and no I/O.
 *
 * <p>Bounded by entries and by bytes at once: each entry weighs its bytes, but never less than {@code
 * maxBytes / maxEntries}, so the byte budget also caps the count. Entries expire after {@code near.ttlMs} (404s
 * after the shorter of that and {@code negativeTtlMs}): the bound on staleness when change events are late.
 *
 * <p>A fill never brings back what an invalidation removed: every invalidation takes a number from one
 * counter and remembers it for the key; a load notes the counter when it starts and may fill only if its key
 * was not invalidated since. A read that raced a write therefore serves its (older) answer once, but does
 * not cache it.
 *
 * <p>Its caches are {@link Caches#builder()}'s: their upkeep runs on the event loop that reads or fills.
 */
final class NearCache {
  /** Loads slower than this never fill: the record of invalidations does not reach back further. */
  static final long MAX_LOAD_NANOS = TimeUnit.SECONDS.toNanos(30);

  private final Cache<CacheKey, Entry> entries;
  private final Cache<CacheKey, Long> invalidated;
  private final AtomicLong counter = new AtomicLong();
  private final LongSupplier nanos;

  NearCache(CacheConfig config, LongSupplier nanos, CacheMetrics metrics) {
    this.nanos = nanos;
    long floor = Math.max(1, config.nearMaxBytes() / config.nearMaxEntries());
    long foundNanos = TimeUnit.MILLISECONDS.toNanos(config.nearTtlMs());
    long missingNanos = TimeUnit.MILLISECONDS.toNanos(Math.min(config.nearTtlMs(), config.negativeTtlMs()));
    this.entries = Caches.builder()
        .maximumWeight(config.nearMaxBytes())
        .<CacheKey, Entry>weigher((k, e) -> (int) Math.min(Integer.MAX_VALUE, Math.max(floor, e.weight())))
        .expireAfter(Lifetimes.<CacheKey, Entry>of(e -> e.found() ? foundNanos : missingNanos))
        .ticker(nanos::getAsLong)
        .removalListener((CacheKey k, Entry e, RemovalCause cause) -> {
          if (cause == RemovalCause.SIZE) {
            metrics.evicted();
          }
        })
        .build();
    this.invalidated = Caches.builder()
        .maximumSize(Math.max(1024, config.nearMaxEntries()))
        .expireAfterWrite(MAX_LOAD_NANOS, TimeUnit.NANOSECONDS)
        .ticker(nanos::getAsLong)
        .build();
  }

  Entry get(CacheKey key) {
    return entries.getIfPresent(key);
  }

  /** What a load notes before it starts; pass it back to {@link #fill}. */
  long stamp() {
    return counter.get();
  }

  /** Caches {@code entry} unless {@code key} was invalidated after {@code stamp} was taken. */
  void fill(CacheKey key, Entry entry, long stamp, long startedNanos) {
    if (nanos.getAsLong() - startedNanos > MAX_LOAD_NANOS) {
      return;
    }
    Long at = invalidated.getIfPresent(key);
    if (at != null && at > stamp) {
      return;
    }
    entries.put(key, entry);
    // An invalidation that landed between the check and the put must still win.
    Long after = invalidated.getIfPresent(key);
    if (after != null && after > stamp) {
      entries.invalidate(key);
    }
  }

  void invalidate(CacheKey key) {
    invalidated.put(key, counter.incrementAndGet());
    entries.invalidate(key);
  }

  long size() {
    return entries.estimatedSize();
  }

  long weight() {
    return entries.policy().eviction().map(e -> e.weightedSize().orElse(0)).orElse(0L);
  }

  void clear() {
    entries.invalidateAll();
  }
}
