package io.spillway.limit;

import io.spillway.config.LimitsConfig;
import io.spillway.config.RedisConfig;
import io.spillway.testkit.ShippedConfig;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;

import java.util.concurrent.TimeUnit;

/** Shared by the limiter's tests: a Redis database of their own, config builders, waiting on Redis time. */
final class LimitTesting {
  /** Database 14 of the local Redis belongs to these tests; each class flushes it before it starts. */
  static final String REDIS_URI = "redis://127.0.0.1:" + io.spillway.testkit.SpillwayApp.REDIS_PORT + "/14";

  private LimitTesting() {}

  static <T> T await(Future<T> future) {
    try {
      return future.await(30, TimeUnit.SECONDS);
    } catch (RuntimeException e) {
      throw e;
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  static RedisConfig redisConfig(String uri) {
    return new RedisConfig(uri, 8, 4096, 1000);
  }

  static Redis flushedRedis(Vertx vertx) {
    Redis redis = Redis.createClient(vertx, RateLimiter.redisOptions(redisConfig(REDIS_URI)));
    await(redis.send(Request.cmd(Command.FLUSHDB)));
    return redis;
  }

  /** The shipped {@code limits} section under {@code limits} (null: as shipped). */
  static LimitsConfig limits(JsonObject limits) {
    return LimitsConfig.from(ShippedConfig.section("limits", limits));
  }

  /**
   * {@code limits} with the given policies and a random key prefix, so tests never share state. The Redis
   * timeout is generous: on a loaded build machine a slow reply must not turn into a local decision.
   */
  static JsonObject limitsJson(JsonObject... policies) {
    return new JsonObject()
        .put("keyPrefix", "t" + Long.toString(System.nanoTime(), 36))
        .put("redisTimeoutMs", 10_000)
        .put("policies", new JsonArray(java.util.List.of((Object[]) policies)));
  }

  static LimitsConfig limitsOf(JsonObject... policies) {
    return limits(limitsJson(policies));
  }

  /** A policy; {@code settings} are key/value pairs ("limit", 10, "windowSeconds", 60, ...). */
  static JsonObject policy(String name, String algorithm, Object... settings) {
    JsonObject p = new JsonObject().put("name", name).put("algorithm", algorithm);
    for (int i = 0; i < settings.length; i += 2) {
      p.put((String) settings[i], settings[i + 1]);
    }
    return p;
  }

  static JsonObject route(String path, String... methods) {
    return new JsonObject().put("path", path).put("methods", new JsonArray(java.util.List.of((Object[]) methods)));
  }

  static RequestInfo request(String path, String ip) {
    return RequestInfo.anonymous("GET", path, ip);
  }

  /** Redis TIME in microseconds: the clock the scripts use. */
  static long redisMicros(Redis redis) {
    Response t = await(redis.send(Request.cmd(Command.TIME)));
    return t.get(0).toLong() * 1_000_000 + t.get(1).toLong();
  }

  /** Waits until Redis TIME reaches {@code micros}, on Vert.x timers (checked against Redis, not our clock). */
  static void awaitRedisTime(Vertx vertx, Redis redis, long micros) {
    long now;
    while ((now = redisMicros(redis)) < micros) {
      long delayMs = Math.max(1, (micros - now + 999) / 1000);
      await(vertx.timer(delayMs, TimeUnit.MILLISECONDS));
    }
  }

  /** Waits until Redis TIME is {@code offsetMs} into a window of {@code windowMs} (epoch-aligned). */
  static long awaitWindowOffset(Vertx vertx, Redis redis, long windowMs, long offsetMs) {
    long now = redisMicros(redis);
    long window = windowMs * 1000;
    long target = Math.floorDiv(now, window) * window + offsetMs * 1000;
    if (target < now) {
      target += window;
    }
    awaitRedisTime(vertx, redis, target);
    return target;
  }
}
