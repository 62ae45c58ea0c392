package io.spillway.cache;

import io.spillway.config.CacheConfig;
import io.spillway.redis.CircuitBreaker;
import io.spillway.web.TurnBatches;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;

import java.util.List;
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
 * <p>The reads an event loop misses in one turn go to Redis as one {@code MGET}, one at a time per event loop (the
 * misses of a turn that ends while the previous MGET is unanswered join the next), and the fills of one turn as one
 * pipelined write ({@link TurnBatches}): under load, a miss costs a fraction of a round trip.
 *
 * <p>Redis failing is a miss, never an error: the read falls through to the data layer. After repeated failures a
 * breaker stops trying for a few seconds, so a dead Redis costs no timeout per read.
 */
final class RedisCache {
  static final String MISSING = "-";
  static final String HELD = "~";
  private static final Buffer MISSING_BYTES = Buffer.buffer(MISSING);
  /** Keys per MGET, fills per pipelined write, at most. */
  private static final int MAX_BATCH = 128;
  /** MGETs per event loop unanswered at a time: under load the next one gathers the misses of the wait. */
  private static final int READS_IN_FLIGHT = 1;

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
  private final TurnBatches<Read> reads = TurnBatches.inFlight(MAX_BATCH, READS_IN_FLIGHT, this::read);
  private final TurnBatches<Request> fills = new TurnBatches<>(MAX_BATCH, this::fill);

  private record Read(CacheKey key, Promise<Lookup> promise) {}

  RedisCache(Redis redis, CacheConfig config, String prefix, CacheMetrics metrics) {
    this.redis = redis;
    this.config = config;
    this.prefix = prefix;
    this.metrics = metrics;
  }

  Future<Lookup> get(CacheKey key) {
    Promise<Lookup> promise = Promise.promise();
    reads.add(new Read(key, promise));
    return promise.future();
  }

  /** One MGET for the keys an event loop missed in one turn (or while its previous MGET was unanswered). */
  private Future<?> read(List<Read> batch) {
    CircuitBreaker.Permit permit = breaker.permit();
    if (permit == CircuitBreaker.Permit.SKIP) {
      batch.forEach(r -> r.promise().complete(Lookup.UNAVAILABLE));
      return Future.succeededFuture();
    }
    Request mget = Request.cmd(Command.MGET);
    batch.forEach(r -> mget.arg(r.key().redisKey(prefix)));
    return call(permit, mget).onComplete(ar -> {
      for (int i = 0; i < batch.size(); i++) {
        Read r = batch.get(i);
        r.promise().complete(ar.succeeded() ? lookup(r.key(), ar.result().get(i)) : Lookup.UNAVAILABLE);
      }
    });
  }

  /** One key's answer; a value that is not what this cache writes is treated as Redis not answering. */
  private static Lookup lookup(CacheKey key, Response r) {
    try {
      return parsed(key, r);
    } catch (RuntimeException unreadable) {
      return Lookup.UNAVAILABLE;
    }
  }

  private static Lookup parsed(CacheKey key, Response r) {
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
  }

  /** An entry read back from Redis; a representation served with another resource names it in a field. */
  private static Entry entry(CacheKey key, Buffer value) {
    if (!key.kind().hasRelated()) {
      return Entry.of(value);
    }
    return Entry.of(value, key.kind().related(new JsonObject(value)));
  }

  /** Stores what a read found, unless the key holds anything (a hold, or another reader's fill). */
  void fill(CacheKey key, Entry entry) {
    Request set = Request.cmd(Command.SET).arg(key.redisKey(prefix));
    if (entry.found()) {
      set.arg(entry.body()).arg("EX").arg(ttlSeconds());
    } else {
      set.arg(MISSING_BYTES).arg("PX").arg(config.negativeTtlMs());
    }
    fills.add(set.arg("NX"));
  }

  /** The fills of one turn, sent together (one write, one reply). */
  private void fill(List<Request> batch) {
    CircuitBreaker.Permit permit = breaker.permit();
    if (permit == CircuitBreaker.Permit.SKIP) {
      return;
    }
    track(permit, redis.batch(batch));
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
    return track(permit, redis.send(request));
  }

  private <T> Future<T> track(CircuitBreaker.Permit permit, Future<T> sent) {
    return sent.timeout(config.redisTimeoutMs(), TimeUnit.MILLISECONDS).andThen(ar -> {
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
