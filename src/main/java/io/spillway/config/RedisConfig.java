package io.spillway.config;

import io.vertx.redis.client.RedisOptions;

/** Redis: rate limits, caches and channel history. The pool is sized from config (the client's default is small). */
public record RedisConfig(String uri, int poolSize, int maxWaiting, long timeoutMs) {
  public RedisConfig {
    if (uri == null || !uri.startsWith("redis://") && !uri.startsWith("rediss://") && !uri.startsWith("unix://")) {
      throw new ConfigException("redis.uri", "'" + Secrets.redactUri(uri) + "' is not a Redis URI; allowed: redis://, rediss://, unix://");
    }
    Check.range("redis.poolSize", poolSize, 1, 4096);
    Check.range("redis.maxWaiting", maxWaiting, 1, 1 << 20);
    Check.range("redis.timeoutMs", timeoutMs, 1, 60_000);
  }

  static RedisConfig from(ConfigReader r) {
    return new RedisConfig(r.string("uri"), r.integer("poolSize"), r.integer("maxWaiting"), r.number("timeoutMs"));
  }

  /** Without the URI's credentials ({@code redis://user:password@host}): a record's text may end up in a log line. */
  @Override
  public String toString() {
    return "RedisConfig[uri=" + Secrets.redactUri(uri) + ", poolSize=" + poolSize
        + ", maxWaiting=" + maxWaiting + ", timeoutMs=" + timeoutMs + "]";
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
