package io.spillway.limit;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.spillway.redis.Lifetimes;
import io.spillway.redis.LuaScript;
import io.spillway.redis.SingleFlight;
import io.vertx.core.Future;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Response;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * The leases this node holds for policies in leased mode ({@code leaseSize}): per policy and subject, a number
 * of units taken from Redis in one script call ({@code lease.lua}) and spent here, so most requests are decided
 * without a Redis trip. A lease lives {@code leaseTtlMs} at most; what is left then is dropped (it was already
 * counted in Redis). One fetch per key at a time; every event loop of the node shares the leases.
 */
final class Leases {
  /** A lease held by this node. */
  static final class Lease {
    final long expiresAtNanos;
    final long limit;
    /** What the policy had left in Redis right after the grant (for the headers). */
    final long leftInRedis;
    final long resetMillis;
    final long retryMillis;
    final long granted;
    private final AtomicLong units;

    Lease(long granted, long limit, long leftInRedis, long resetMillis, long retryMillis, long expiresAtNanos) {
      this.granted = granted;
      this.limit = limit;
      this.leftInRedis = leftInRedis;
      this.resetMillis = resetMillis;
      this.retryMillis = retryMillis;
      this.expiresAtNanos = expiresAtNanos;
      this.units = new AtomicLong(granted);
    }

    boolean tryTake(int cost, long now) {
      if (now >= expiresAtNanos) {
        return false;
      }
      while (true) {
        long left = units.get();
        if (left < cost) {
          return false;
        }
        if (units.compareAndSet(left, left - cost)) {
          return true;
        }
      }
    }

    /** Units taken for a request that another policy then refused. */
    void giveBack(int cost) {
      units.addAndGet(cost);
    }

    long left() {
      return units.get();
    }
  }

  /** A charge decided from a lease: the outcome, and the lease to give the units back to if need be. */
  record Taken(Outcome outcome, Lease lease, int cost) {
    void undo() {
      if (lease != null && outcome.ok()) {
        lease.giveBack(cost);
      }
    }
  }

  /** Fetches one request may make while others spend what they bring: a bound, not an expected number. */
  private static final int MAX_FETCHES = 16;

  private final Redis redis;
  private final LuaScript script;
  private final LongSupplier nanos;
  private final LimiterMetrics metrics;
  private volatile long timeoutMs;
  private final Cache<String, Lease> held;
  private final SingleFlight<String, Lease> fetching = new SingleFlight<>();

  Leases(Redis redis, LuaScript script, long timeoutMs, LongSupplier nanos, LimiterMetrics metrics) {
    this.redis = redis;
    this.script = script;
    this.timeoutMs = timeoutMs;
    this.nanos = nanos;
    this.metrics = metrics;
    this.held = Caffeine.newBuilder()
        .maximumSize(1_000_000)
        .expireAfter(Lifetimes.<String, Lease>of(lease -> lease.expiresAtNanos - nanos.getAsLong()))
        .ticker(nanos::getAsLong)
        .build();
  }

  void timeout(long ms) {
    this.timeoutMs = ms;
  }

  Future<Void> load() {
    return script.load(redis::send);
  }

  /**
   * Decided here, or null when Redis must be asked: admitted from this node's lease, or refused because Redis
   * said a moment ago that the policy is empty until its retry time (so an over-eager client costs no Redis
   * trip per refused request either).
   */
  Taken tryLocal(Charge c) {
    Lease lease = held.getIfPresent(c.key());
    if (lease == null) {
      return null;
    }
    long now = nanos.getAsLong();
    if (lease.tryTake(c.cost(), now)) {
      return admitted(c, lease);
    }
    return lease.granted == 0 && now < lease.expiresAtNanos ? refused(c, lease) : null;
  }

  /**
   * Decides {@code c} from a lease, fetching a new one when this node's is spent. A fetch that grants nothing
   * refuses the request with Redis' retry time. Fails when Redis does not answer (the caller falls back).
   */
  Future<Taken> take(Charge c) {
    Taken local = tryLocal(c);
    if (local != null) {
      return Future.succeededFuture(local);
    }
    return fetchAndTake(c, MAX_FETCHES);
  }

  /**
   * Many requests of one client may wait on one fetch; those the new lease does not cover fetch again, as
   * long as Redis still grants something, so a busy client is refused only when its policy is spent.
   */
  private Future<Taken> fetchAndTake(Charge c, int fetchesLeft) {
    return fetch(c).compose(lease -> {
      if (lease.tryTake(c.cost(), nanos.getAsLong())) {
        return Future.succeededFuture(admitted(c, lease));
      }
      if (lease.granted == 0 || fetchesLeft <= 1) {
        return Future.succeededFuture(refused(c, lease));
      }
      Taken now = tryLocal(c);
      return now != null ? Future.succeededFuture(now) : fetchAndTake(c, fetchesLeft - 1);
    });
  }

  private Future<Lease> fetch(Charge c) {
    return fetching.run(c.key(), () -> {
      Policy p = c.policy();
      List<String> args = new ArrayList<>(p.scriptArgs.size() + 2);
      args.add("1");
      args.addAll(p.scriptArgs);
      args.add(Integer.toString(p.config.common().lease().size()));
      long ttlNanos = TimeUnit.MILLISECONDS.toNanos(p.config.common().lease().ttlMs());
      return script.run(redis::send, List.of(c.key()), args)
          .timeout(timeoutMs, TimeUnit.MILLISECONDS)
          .map(reply -> lease(reply, nanos.getAsLong(), ttlNanos))
          .onSuccess(lease -> {
            metrics.leased(p.name, lease.granted);
            held.put(c.key(), lease);
          });
    });
  }

  /** A grant lives the lease's TTL; an empty answer only until Redis' retry time (within that TTL). */
  private static Lease lease(Response reply, long now, long ttlNanos) {
    long granted = reply.get(0).toLong();
    long retryMillis = reply.get(4).toLong();
    long life = granted > 0 ? ttlNanos : Math.min(ttlNanos, TimeUnit.MILLISECONDS.toNanos(Math.max(0, retryMillis)));
    return new Lease(granted, reply.get(1).toLong(), reply.get(2).toLong(), reply.get(3).toLong(), retryMillis,
        now + life);
  }

  private static Taken admitted(Charge c, Lease lease) {
    return new Taken(new Outcome(c.policy(), true, Outcome.Code.OK, lease.limit,
        Math.min(lease.limit, lease.leftInRedis + lease.left()), lease.resetMillis, 0), lease, c.cost());
  }

  private static Taken refused(Charge c, Lease lease) {
    return new Taken(new Outcome(c.policy(), false, Outcome.Code.EXCEEDED, lease.limit, 0, lease.resetMillis,
        Math.max(1, lease.retryMillis)), null, c.cost());
  }
}
