package io.spillway.limit;

import io.spillway.redis.LuaScript;
import io.spillway.redis.SingleFlight;
import io.vertx.core.Future;
import io.vertx.redis.client.Redis;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * The leases this node holds for policies in leased mode ({@code leaseSize}): per policy and subject, a number
 * of units taken from Redis in one script call ({@code lease.lua}) and spent here, so most requests are decided
 * without a Redis trip. A lease lives {@code leaseTtlMs} at most; what is left of it then is given back to the
 * policy in Redis ({@link #refundDropped}). One fetch per key at a time; every
 * event loop of the node shares the leases. A request finds them by subject and policy ({@link LeaseIndex}).
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
    final Policy policy;
    /** The subject's hash tag when the lease is indexed by it ({@link LeaseIndex}), else null. */
    final String subject;
    /** Units left; in the lease itself, so taking one reads no other object. */
    private volatile long units;

    private static final VarHandle UNITS;

    static {
      try {
        UNITS = MethodHandles.lookup().findVarHandle(Lease.class, "units", long.class);
      } catch (ReflectiveOperationException e) {
        throw new ExceptionInInitializerError(e);
      }
    }

    Lease(Policy policy, String subject, long granted, long limit, long leftInRedis, long resetMillis,
          long retryMillis, long expiresAtNanos) {
      this.policy = policy;
      this.subject = subject;
      this.granted = granted;
      this.limit = limit;
      this.leftInRedis = leftInRedis;
      this.resetMillis = resetMillis;
      this.retryMillis = retryMillis;
      this.expiresAtNanos = expiresAtNanos;
      this.units = granted;
    }

    boolean tryTake(int cost, long now) {
      if (now >= expiresAtNanos) {
        return false;
      }
      while (true) {
        long left = units;
        if (left < cost) {
          return false;
        }
        if (UNITS.compareAndSet(this, left, left - cost)) {
          return true;
        }
      }
    }

    /** Units taken for a request that another policy then refused. */
    void giveBack(int cost) {
      UNITS.getAndAdd(this, (long) cost);
    }

    long left() {
      return units;
    }

    /** Takes every unit left at once (the lease is being dropped): later takes find none. */
    long drain() {
      return Math.max(0, (long) UNITS.getAndSet(this, 0L));
    }
  }

  /** Units of a dropped lease to give back to the policy in Redis. */
  private record Refund(Policy policy, String key, long units) {}

  /** Keys with a lease at most; past that, another key's lease is dropped (and given back) per new one. */
  private static final int MAX_HELD = 1_000_000;

  /** Refunds sent per call of {@link #refundDropped} at most. */
  private static final int REFUNDS_PER_CALL = 256;

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
  private final LeaseFetches fetches;
  private final LongSupplier nanos;
  private final LimiterMetrics metrics;
  /** Leases by key; an expired one is dropped when a new one replaces it or by {@link #refundDropped}'s sweep. */
  private final ConcurrentHashMap<String, Lease> held = new ConcurrentHashMap<>();
  private final LeaseIndex index = new LeaseIndex();
  private final SingleFlight<String, Lease> fetching = new SingleFlight<>();
  private final Queue<Refund> refunds = new ConcurrentLinkedQueue<>();

  Leases(Redis redis, LuaScript script, long timeoutMs, LongSupplier nanos, LimiterMetrics metrics) {
    this.redis = redis;
    this.script = script;
    this.fetches = new LeaseFetches(redis, script, timeoutMs);
    this.nanos = nanos;
    this.metrics = metrics;
  }

  void timeout(long ms) {
    fetches.timeout(ms);
  }

  Future<Void> load() {
    return script.load(redis::send);
  }

  /**
   * Drops the leases whose time is up and gives what is left of every dropped lease back to its policy in
   * Redis, so a lease costs its subject only what the node spent of it (a quota is not charged for units
   * a node took and never used). At most {@link #REFUNDS_PER_CALL} per call; the rest wait for the next.
   * A refund that fails is lost: the policy then counts units nobody used, never the other way round.
   */
  Future<Void> refundDropped() {
    long now = nanos.getAsLong();
    held.forEach((key, lease) -> {
      if (now >= lease.expiresAtNanos && held.remove(key, lease)) {
        drop(key, lease);
      }
    });
    List<Future<LeaseFetches.Grant>> sent = new ArrayList<>();
    for (Refund r; sent.size() < REFUNDS_PER_CALL && (r = refunds.poll()) != null; ) {
      Refund refund = r;
      sent.add(fetches.submit(r.key(), r.policy(), -r.units())
          .onSuccess(g -> metrics.refunded(refund.policy().name, refund.units())));
    }
    return sent.isEmpty() ? Future.succeededFuture() : Future.join(sent).mapEmpty();
  }

  /** Drops every lease (the node is stopping) and gives back what is left of them. */
  Future<Void> refundAll() {
    held.forEach((key, lease) -> {
      if (held.remove(key, lease)) {
        drop(key, lease);
      }
    });
    index.clear();
    return drainRefunds();
  }

  /** A lease leaves this node: what is left of it goes back to Redis with the next refunds. */
  private void drop(String key, Lease lease) {
    if (lease.subject != null) {
      index.remove(lease.subject, lease);
    }
    long left = lease.drain();
    if (left > 0) {
      refunds.add(new Refund(lease.policy, key, left));
    }
  }

  private void dropAnyOther(String kept) {
    for (var e : held.entrySet()) {
      if (!e.getKey().equals(kept) && held.remove(e.getKey(), e.getValue())) {
        drop(e.getKey(), e.getValue());
        return;
      }
    }
  }

  private Future<Void> drainRefunds() {
    return refunds.isEmpty() ? Future.succeededFuture() : refundDropped().compose(v -> drainRefunds());
  }

  /**
   * Decided here, or null when Redis must be asked: admitted from this node's lease, or refused because Redis
   * said a moment ago that the policy is empty until its retry time (so an over-eager client costs no Redis
   * trip per refused request either).
   */
  Taken tryLocal(Charge c) {
    return tryLocal(c, nanos.getAsLong(), c.subject() == null ? null : index.of(c.subject()));
  }

  /**
   * Every charge decided here ({@link #tryLocal(Charge)}), or null, with nothing taken, when one of them is
   * not (or its policy is not leased at its cost). Charges on one subject, one after another, share a lookup.
   */
  List<Taken> tryLocal(List<Charge> charges) {
    long now = nanos.getAsLong();
    List<Taken> taken = new ArrayList<>(charges.size());
    String subject = null;
    Lease[] ofSubject = null;
    for (Charge c : charges) {
      Taken t = null;
      if (c.policy().leased(c.cost())) {
        String own = c.subject();
        if (own != null && !own.equals(subject)) {
          subject = own;
          ofSubject = index.of(own);
        }
        t = tryLocal(c, now, own == null ? null : ofSubject);
      }
      if (t == null) {
        taken.forEach(Taken::undo);
        return null;
      }
      taken.add(t);
    }
    return taken;
  }

  private Taken tryLocal(Charge c, long now, Lease[] ofSubject) {
    Lease lease = ofSubject == null ? null : LeaseIndex.in(ofSubject, c.policy());
    if (lease == null) {
      // Not indexed by its subject (a key with more parts, or a lease of an earlier config): found by key.
      lease = held.get(c.key());
    }
    if (lease == null) {
      return null;
    }
    if (now >= lease.expiresAtNanos) {
      // Left for the fetch that replaces it, or for the sweep, to drop: no write on the request path.
      return null;
    }
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
      long ttlNanos = TimeUnit.MILLISECONDS.toNanos(p.config.common().lease().ttlMs());
      return fetches.submit(c.key(), p, p.leaseUnits)
          .map(grant -> lease(p, c.subject(), grant, nanos.getAsLong(), ttlNanos))
          .onSuccess(lease -> {
            metrics.leased(p.name, lease.granted);
            // Indexed before it is held: whatever drops it from the held map later also finds it indexed.
            if (lease.subject != null) {
              index.put(lease.subject, lease);
            }
            Lease old = held.put(c.key(), lease);
            if (old != null) {
              drop(c.key(), old);
            }
            if (held.size() > MAX_HELD) {
              dropAnyOther(c.key());
            }
          });
    });
  }

  /** A grant lives the lease's TTL; an empty answer only until Redis' retry time (within that TTL). */
  private static Lease lease(Policy policy, String subject, LeaseFetches.Grant g, long now, long ttlNanos) {
    long life = g.granted() > 0 ? ttlNanos
        : Math.min(ttlNanos, TimeUnit.MILLISECONDS.toNanos(Math.max(0, g.retryMillis())));
    return new Lease(policy, subject, g.granted(), g.limit(), g.remaining(), g.resetMillis(), g.retryMillis(),
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
