package io.spillway.config;

import io.vertx.redis.client.RedisOptions;

/** Redis: rate limits, caches and channel history. The pool is sized from config (the client's default is small). */
public record RedisConfig(String uri, int poolSize, int maxWaiting, long timeoutMs) {
  static RedisConfig from(ConfigReader r) {
    String uri = r.string("uri", "redis://127.0.0.1:6379");
    if (!uri.startsWith("redis://") && !uri.startsWith("rediss://") && !uri.startsWith("unix://")) {
      throw new ConfigException(r.key("uri") + ": '" + uri + "' is not a Redis URI; allowed: redis://, rediss://, unix://");
    }
    return new RedisConfig(uri, r.integer("poolSize", 32, 1, 4096), r.integer("maxWaiting", 2048, 1, 1 << 20),
        r.number("timeoutMs", 1000, 1, 60_000));
  }

  /**
   * Client options with the pool and wait queues sized from config: the client's defaults (6 connections,
   * 24 waiting) fail with ConnectionPoolTooBusyException as soon as a few dozen requests are in flight.
   */
  public RedisOptions clientOptions() {
    return new RedisOptions()
        .setConnectionString(uri)
        .setMaxPoolSize(poolSize)
        .setMaxPoolWaiting(maxWaiting)
        .setMaxWaitingHandlers(maxWaiting * 4);
  }
}
