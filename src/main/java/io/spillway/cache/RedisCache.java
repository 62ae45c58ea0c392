package io.spillway.cache;

import io.spillway.config.CacheConfig;
import io.spillway.redis.CircuitBreaker;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;

import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * The shared layer: cache-aside in Redis, values stored as the bytes the API sends.
 *
 * <p>Three kinds of value: a representation (JSON, starts with {@code {}), a remembered 404 ({@value #MISSING}) and
 * a hold ({@value #HELD}). A write replaces the entry with a hold for {@code cache.holdMs}; fills use {@code SET NX},
 * so while the hold lasts a read that began before the write cannot store what it read. Reads that take longer
 * than half the hold do not fill at all, which closes the window after it.
 *
 * <p>Redis failing is a miss, never an error: the read falls through to the data layer. After repeated failures a
 * breaker stops trying for a few seconds, so a dead Redis costs no timeout per read.
 */
final class RedisCache {
  static final String MISSING = "-";
  static final String HELD = "~";
  private static final Buffer MISSING_BYTES = Buffer.buffer(MISSING);

  /** What Redis held for a key. */
  enum State { ABSENT, HELD, FOUND, UNAVAILABLE }

  /** One read's answer: a state and, when found, the entry. */
  record Lookup(State state, Entry entry) {
    static final Lookup ABSENT = new Lookup(State.ABSENT, null);
    static final Lookup HELD = new Lookup(State.HELD, null);
    static final Lookup UNAVAILABLE = new Lookup(State.UNAVAILABLE, null);
  }

  private final Redis redis;
  private final CacheConfig config;
  private final String prefix;
  private final CacheMetrics metrics;
  private final CircuitBreaker breaker = new CircuitBreaker(System::currentTimeMillis, 5, 5_000);

  RedisCache(Redis redis, CacheConfig config, String prefix, CacheMetrics metrics) {
    this.redis = redis;
    this.config = config;
    this.prefix = prefix;
    this.metrics = metrics;
  }

  Future<Lookup> get(CacheKey key) {
    CircuitBreaker.Permit permit = breaker.permit();
    if (permit == CircuitBreaker.Permit.SKIP) {
      return Future.succeededFuture(Lookup.UNAVAILABLE);
    }
    return call(permit, Request.cmd(Command.GET).arg(key.redisKey(prefix))).map(r -> {
      if (r == null) {
        return Lookup.ABSENT;
      }
      Buffer value = r.toBuffer();
      if (value.length() == 1 && value.getByte(0) == '~') {
        return Lookup.HELD;
      }
      if (value.length() == 1 && value.getByte(0) == '-') {
        return new Lookup(State.FOUND, Entry.missing());
      }
      return new Lookup(State.FOUND, entry(key, value));
    }).otherwise(Lookup.UNAVAILABLE);
  }

  /** An entry read back from Redis; a representation served with another resource names it in a field. */
  private static Entry entry(CacheKey key, Buffer value) {
    String field = key.kind().relatedField();
    if (field == null) {
      return Entry.of(value);
    }
    Object related = new JsonObject(value).getValue(field);
    return Entry.of(value, related instanceof String s ? Long.parseLong(s) : 0);
  }

  /** Stores what a read found, unless the key holds anything (a hold, or another reader's fill). */
  void fill(CacheKey key, Entry entry) {
    CircuitBreaker.Permit permit = breaker.permit();
    if (permit == CircuitBreaker.Permit.SKIP) {
      return;
    }
    Request set = Request.cmd(Command.SET).arg(key.redisKey(prefix));
    if (entry.found()) {
      set.arg(entry.body()).arg("EX").arg(ttlSeconds());
    } else {
      set.arg(MISSING_BYTES).arg("PX").arg(config.negativeTtlMs());
    }
    call(permit, set.arg("NX"));
  }

  /** Replaces the key with a hold: reads fall through, and fills are refused while it lasts. */
  Future<Void> hold(CacheKey key) {
    CircuitBreaker.Permit permit = breaker.permit();
    if (permit == CircuitBreaker.Permit.SKIP) {
      return Future.succeededFuture();
    }
    return call(permit, Request.cmd(Command.SET).arg(key.redisKey(prefix)).arg(HELD).arg("PX").arg(config.holdMs()))
        .<Void>mapEmpty().otherwiseEmpty();
  }

  private Future<Response> call(CircuitBreaker.Permit permit, Request request) {
    return redis.send(request).timeout(config.redisTimeoutMs(), TimeUnit.MILLISECONDS).andThen(ar -> {
      if (ar.succeeded()) {
        breaker.success();
      } else {
        breaker.failure(permit);
        metrics.redisFailed();
      }
    });
  }

  private long ttlSeconds() {
    double spread = config.redisJitter() * (2 * ThreadLocalRandom.current().nextDouble() - 1);
    return Math.max(1, Math.round(config.redisTtlSeconds() * (1 + spread)));
  }
}
