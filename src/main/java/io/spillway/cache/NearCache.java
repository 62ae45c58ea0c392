package io.spillway.cache;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.RemovalCause;
import io.spillway.config.CacheConfig;
import io.spillway.redis.Lifetimes;
import io.spillway.web.Caches;
import io.spillway.web.RefreshAhead;

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
 * <p>Refresh ahead ({@code near.refreshAfter}): an entry read once that fraction of its lifetime has passed is
 * due for a reload; the first reader to see that claims it ({@link RefreshAhead}) and starts the reload in
 * the background, and every reader meanwhile is answered from the entry. A hot entry is so replaced before
 * it expires, and its readers never wait for Redis or the database; an entry nobody reads still expires. The
 * reload fills like any load, so it cannot bring back what an invalidation removed.
 *
 * <p>Its caches are {@link Caches#builder()}'s: their upkeep runs on the event loop that reads or fills.
 */
final class NearCache {
  /** Loads slower than this never fill: the record of invalidations does not reach back further. */
  static final long MAX_LOAD_NANOS = TimeUnit.SECONDS.toNanos(30);

  private final Cache<CacheKey, RefreshAhead<Entry>> entries;
  private final Cache<CacheKey, Long> invalidated;
  private final AtomicLong counter = new AtomicLong();
  private final LongSupplier nanos;
  /** Nanoseconds after a fill when a found and a missing entry are due for a reload; MAX_VALUE: never. */
  private final long refreshFoundNanos;
  private final long refreshMissingNanos;

  NearCache(CacheConfig config, LongSupplier nanos, CacheMetrics metrics) {
    this.nanos = nanos;
    long floor = Math.max(1, config.nearMaxBytes() / config.nearMaxEntries());
    long foundNanos = TimeUnit.MILLISECONDS.toNanos(config.nearTtlMs());
    long missingNanos = TimeUnit.MILLISECONDS.toNanos(Math.min(config.nearTtlMs(), config.negativeTtlMs()));
    double after = config.nearRefreshAfter();
    this.refreshFoundNanos = after > 0 ? (long) (foundNanos * after) : Long.MAX_VALUE;
    this.refreshMissingNanos = after > 0 ? (long) (missingNanos * after) : Long.MAX_VALUE;
    this.entries = Caches.builder()
        .maximumWeight(config.nearMaxBytes())
        .<CacheKey, RefreshAhead<Entry>>weigher((k, h) -> (int) Math.min(Integer.MAX_VALUE, Math.max(floor, h.value().weight())))
        .expireAfter(Lifetimes.<CacheKey, RefreshAhead<Entry>>of(h -> h.value().found() ? foundNanos : missingNanos))
        .ticker(nanos::getAsLong)
        .removalListener((CacheKey k, RefreshAhead<Entry> h, RemovalCause cause) -> {
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

  RefreshAhead<Entry> get(CacheKey key) {
    return entries.getIfPresent(key);
  }

  /** True for the reader that first sees {@code held} due for a reload (see the class comment). */
  boolean claimRefresh(RefreshAhead<Entry> held) {
    return held.claim(nanos.getAsLong());
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
    entries.put(key, RefreshAhead.of(entry, nanos.getAsLong(), entry.found() ? refreshFoundNanos : refreshMissingNanos));
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
