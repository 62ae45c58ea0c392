package io.spillway.server;

import io.spillway.cache.ReadCache;
import io.spillway.limit.RateLimiter;
import io.spillway.observe.HttpMetrics;
import io.vertx.redis.client.Redis;

/**
 * What one node makes once and every HttpVerticle instance shares: the Redis client, the rate limiter, the
 * door ({@link CallerHandler}), the read cache and the request metrics ({@code httpMetrics} null when metrics
 * are off), and the channel history's Redis client ({@code historyRedis}: the same client unless {@code
 * stream.history.redisUri} names another Redis). All of them are safe to use from every event loop.
 */
public record NodeServices(Redis redis, RateLimiter limiter, CallerHandler callers, ReadCache cache,
                           HttpMetrics httpMetrics, Redis historyRedis) {}
