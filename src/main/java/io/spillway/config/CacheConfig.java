package io.spillway.config;

/**
 * Caching of hot reads: a per-node near cache in front of a Redis cache-aside layer. See docs/caching.md.
 *
 * @param enabled          false: every read goes to the data layer
 * @param nearEnabled      the per-node in-memory layer
 * @param nearMaxEntries   at most this many entries in the near cache
 * @param nearMaxBytes     at most this many bytes of representations in the near cache
 * @param nearTtlMs        a near entry lives at most this long: the bound when change events are delayed
 * @param nearRefreshAfter a near entry read after this fraction of its lifetime is reloaded in the background
 *                         while it keeps answering, so a hot entry is replaced before it expires and no reader
 *                         waits for it; 0 turns this off
 * @param redisEnabled     the shared Redis layer
 * @param redisTtlSeconds  a Redis entry lives this long, plus or minus {@code redisJitter}
 * @param redisJitter      spread of the Redis TTL (0.1: plus or minus 10 %), so entries filled together do not
 *                         expire together
 * @param redisTimeoutMs   a cache read from Redis slower than this counts as a miss
 * @param negativeTtlMs    how long a 404 is remembered
 * @param holdMs           after a write, the entry is held empty this long in Redis, so a read that began
 *                         before the write cannot put the old value back
 */
public record CacheConfig(
    boolean enabled,
    boolean nearEnabled,
    int nearMaxEntries,
    long nearMaxBytes,
    long nearTtlMs,
    double nearRefreshAfter,
    boolean redisEnabled,
    long redisTtlSeconds,
    double redisJitter,
    long redisTimeoutMs,
    long negativeTtlMs,
    long holdMs) {

  public CacheConfig {
    Check.range("cache.near.maxEntries", nearMaxEntries, 1, 100_000_000);
    Check.range("cache.near.maxBytes", nearMaxBytes, 1024, 64L << 30);
    Check.range("cache.near.ttlMs", nearTtlMs, 1, 3_600_000);
    if (nearRefreshAfter != 0) {
      Check.range("cache.near.refreshAfter", nearRefreshAfter, 0.1, 0.95);
    }
    Check.range("cache.redis.ttlSeconds", redisTtlSeconds, 1, 30L * 86_400);
    Check.range("cache.redis.jitter", redisJitter, 0.0, 0.5);
    Check.range("cache.redis.timeoutMs", redisTimeoutMs, 1, 60_000);
    Check.range("cache.negativeTtlMs", negativeTtlMs, 1, 3_600_000);
    Check.range("cache.holdMs", holdMs, 2, 600_000);
    if (holdMs <= redisTimeoutMs) {
      throw new ConfigException("cache.holdMs", holdMs + " must be above cache.redis.timeoutMs (" + redisTimeoutMs
          + "), or a slow read could refill what a write just emptied");
    }
  }

  static CacheConfig from(ConfigReader r) {
    ConfigReader near = r.child("near");
    ConfigReader redis = r.child("redis");
    return new CacheConfig(
        r.bool("enabled"),
        near.bool("enabled"),
        near.integer("maxEntries"),
        near.number("maxBytes"),
        near.number("ttlMs"),
        near.decimal("refreshAfter"),
        redis.bool("enabled"),
        redis.number("ttlSeconds"),
        redis.decimal("jitter"),
        redis.number("timeoutMs"),
        r.number("negativeTtlMs"),
        r.number("holdMs"));
  }
}
