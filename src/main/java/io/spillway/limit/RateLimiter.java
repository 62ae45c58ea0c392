package io.spillway.limit;

import io.spillway.redis.CircuitBreaker;
import io.micrometer.core.instrument.MeterRegistry;
import io.spillway.config.LimitsConfig;
import io.spillway.config.RateLimitPolicy.FailureMode;
import io.spillway.config.RedisConfig;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Decides whether a request may proceed under every rate-limit policy that applies to it, with one Redis
 * round trip (see {@code docs/rate-limiting.md}).
 *
 * <p>One instance per Vertx, shared by every HttpVerticle instance: all its state is immutable, atomic or
 * behind a short lock, and it never blocks. When Redis fails or is slower than {@code limits.redisTimeoutMs},
 * each policy falls back as configured ({@code local}, {@code open}, {@code closed}) and a circuit breaker
 * keeps later requests from waiting on Redis until a probe finds it back.
 */
public final class RateLimiter {
  private static final Logger LOG = LoggerFactory.getLogger(RateLimiter.class);
  private static final long LOG_INTERVAL_MS = 10_000;

  private final Redis redis;
  private final boolean ownsRedis;
  private final RedisLimits redisLimits;
  private final Leases leases;
  private final LocalLimiter local;
  private final CircuitBreaker breaker;
  private final LimiterMetrics metrics;
  private final AtomicReference<PolicySet> current = new AtomicReference<>();
  private final AtomicLong lastFailureLog = new AtomicLong(Long.MIN_VALUE / 2);
  private final AtomicLong unreportedFailures = new AtomicLong();

  private RateLimiter(Redis redis, boolean ownsRedis, LimitsConfig config, MeterRegistry registry) {
    this.redis = redis;
    this.ownsRedis = ownsRedis;
    this.redisLimits = new RedisLimits(redis, LimitScript.evaluate(), config.redisTimeoutMs());
    this.local = new LocalLimiter(RateLimiter::wallClockMicros);
    this.breaker = new CircuitBreaker(System::currentTimeMillis, config.breaker().failureThreshold(),
        config.breaker().openMs());
    this.metrics = new LimiterMetrics(registry, breaker::open);
    this.leases = new Leases(redis, LimitScript.lease(), config.redisTimeoutMs(), System::nanoTime, metrics);
    this.current.set(new PolicySet(config));
  }

  /** A limiter on a shared Redis client, which it will not close. {@code registry} may be null. */
  public static RateLimiter create(Redis redis, LimitsConfig config, MeterRegistry registry) {
    return new RateLimiter(redis, false, config, registry);
  }

  /** A limiter with its own Redis client, pool sized by {@code redis}; {@link #close()} closes it. */
  public static RateLimiter create(Vertx vertx, RedisConfig redis, LimitsConfig config, MeterRegistry registry) {
    return new RateLimiter(Redis.createClient(vertx, redisOptions(redis)), true, config, registry);
  }

  /** The client options the limiter uses for its own client (see {@link RedisConfig#clientOptions()}). */
  public static RedisOptions redisOptions(RedisConfig redis) {
    return redis.clientOptions();
  }

  /**
   * Loads the script into Redis (SCRIPT LOAD) so the first requests do not ship it. Optional, and it never
   * fails: without it, the first EVALSHA answered NOSCRIPT loads the script.
   */
  public Future<Void> loadScript() {
    return redisLimits.load().compose(v -> leases.load()).recover(e -> {
      LOG.warn("rate limiter: could not load the Lua script into Redis yet ({}); it will be loaded on first use",
          e.getMessage());
      return Future.succeededFuture();
    });
  }

  /** Decides the request and, when admitted, counts it against every policy that applies. */
  public Future<Decision> check(RequestInfo request) {
    return decide(request, true, Stage.ALL);
  }

  /** {@link #check} with only the policies decided at {@code stage}. */
  public Future<Decision> check(RequestInfo request, Stage stage) {
    return decide(request, true, stage);
  }

  /** What {@link #check} would decide now, without counting anything. */
  public Future<Decision> peek(RequestInfo request) {
    return decide(request, false, Stage.ALL);
  }

  /** Replaces the policies and settings at runtime; requests already in flight finish under the old ones. */
  public void update(LimitsConfig config) {
    PolicySet next = new PolicySet(config);
    breaker.configure(config.breaker().failureThreshold(), config.breaker().openMs());
    current.set(next);
    redisLimits.timeout(config.redisTimeoutMs());
    leases.timeout(config.redisTimeoutMs());
  }

  /** False while {@code limits.enabled} is off: every request is admitted, with no RateLimit headers. */
  public boolean enabled() {
    return current.get().config.enabled();
  }

  public LimitsConfig config() {
    return current.get().config;
  }

  /** True while Redis is being skipped and limits are decided locally. */
  public boolean fallbackActive() {
    return breaker.open();
  }

  /**
   * Gives the unspent units of the leases this node dropped back to their policies in Redis; call it every
   * few hundred milliseconds (a failed call loses those units: the subjects are charged a little more, never
   * less). Never fails.
   */
  public Future<Void> refundDroppedLeases() {
    return leases.refundDropped().recover(e -> Future.succeededFuture());
  }

  /** Drops every lease this node holds and gives the unspent units back (the node is stopping). Never fails. */
  public Future<Void> returnLeases() {
    return leases.refundAll().recover(e -> Future.succeededFuture());
  }

  public Future<Void> close() {
    return ownsRedis ? redis.close() : Future.succeededFuture();
  }

  /** One policy's standing for a caller, as {@code GET /v1/usage} shows it. */
  public record Usage(String policy, String algorithm, long limit, long remaining, long resetSeconds) {}

  /**
   * The standing of every policy that applies to {@code request}, counting nothing. From Redis, or from the
   * local fallback's view when Redis does not answer.
   */
  public Future<List<Usage>> usage(RequestInfo request) {
    PolicySet set = current.get();
    List<Charge> charges = set.config.enabled() ? set.charges(request) : List.of();
    if (charges.isEmpty()) {
      return Future.succeededFuture(List.of());
    }
    return redisLimits.evaluate(charges, false, set.config.cluster())
        .recover(err -> Future.succeededFuture(local.evaluate(charges, false, set.config.expectedNodes())))
        .map(outcomes -> outcomes.stream().map(o -> new Usage(o.policy().name, o.policy().algorithm.configName(), o.limit(),
            o.remaining(), (o.resetMillis() + 999) / 1000)).toList());
  }

  private Future<Decision> decide(RequestInfo request, boolean consume, Stage stage) {
    PolicySet set = current.get();
    if (!set.config.enabled()) {
      return Future.succeededFuture(Decision.unlimited());
    }
    List<Charge> charges = set.charges(request, stage);
    if (charges.isEmpty()) {
      return Future.succeededFuture(Decision.unlimited());
    }
    return consume && set.leasing ? decideLeased(set, charges) : decideExact(set, charges, consume);
  }

  /**
   * Leased-mode policies are decided from this node's leases (a Redis trip only to fetch a new lease), the
   * others as usual; a request refused by one side gives back what the other took. When Redis cannot be asked
   * for a lease, the whole request is decided as if every policy were exact (and so falls back as configured).
   */
  private Future<Decision> decideLeased(PolicySet set, List<Charge> charges) {
    // The common case, without sorting the charges first: every policy of the request is leased and this
    // node's leases cover (or, fresh from Redis, refuse) them all.
    List<Leases.Taken> alone = leases.tryLocal(charges);
    if (alone != null) {
      return withExact(set, alone, List.of());
    }
    List<Charge> exact = new ArrayList<>(charges.size());
    List<Charge> leased = new ArrayList<>(charges.size());
    for (Charge c : charges) {
      (c.policy().leased(c.cost()) ? leased : exact).add(c);
    }
    if (leased.isEmpty()) {
      return decideExact(set, charges, true);
    }
    List<Leases.Taken> local = leases.tryLocal(leased);
    return local == null ? fetchLeases(set, charges, leased, exact) : withExact(set, local, exact);
  }

  private Future<Decision> fetchLeases(PolicySet set, List<Charge> charges, List<Charge> leased, List<Charge> exact) {
    CircuitBreaker.Permit permit = breaker.permit();
    if (permit == CircuitBreaker.Permit.SKIP) {
      return decideExact(set, charges, true);
    }
    List<Future<Leases.Taken>> takes = new ArrayList<>(leased.size());
    for (Charge c : leased) {
      takes.add(leases.take(c));
    }
    return Future.join(takes).transform(ar -> {
      List<Leases.Taken> taken = new ArrayList<>(takes.size());
      for (Future<Leases.Taken> f : takes) {
        if (f.succeeded()) {
          taken.add(f.result());
        }
      }
      if (taken.size() < takes.size()) {
        taken.forEach(Leases.Taken::undo);
        breaker.failure(permit);
        metrics.redisFailure();
        Throwable cause = takes.stream().filter(Future::failed).findFirst().map(Future::cause).orElse(null);
        reportFailure(cause, false, set.config);
        return decideExact(set, charges, true);
      }
      if (breaker.success()) {
        LOG.info("rate limiter: Redis answers again; limits are global again");
      }
      // Each fetch is Redis's word on the subject: the local fallback would start from it.
      local.remember(leased, taken.stream().map(Leases.Taken::outcome).toList());
      return withExact(set, taken, exact);
    });
  }

  /** Leased outcomes decided; now the exact policies, if any, and one decision for both. */
  private Future<Decision> withExact(PolicySet set, List<Leases.Taken> taken, List<Charge> exact) {
    List<Outcome> leasedOutcomes = new ArrayList<>(taken.size());
    boolean refused = false;
    for (Leases.Taken t : taken) {
      leasedOutcomes.add(t.outcome());
      refused |= !t.outcome().ok() && !t.outcome().policy().shadow;
    }
    Decision byLeases = Decision.from(leasedOutcomes, false);
    if (refused || exact.isEmpty()) {
      if (refused) {
        taken.forEach(Leases.Taken::undo);
      }
      count(leasedOutcomes, byLeases);
      return Future.succeededFuture(byLeases);
    }
    return decideExact(set, exact, true).map(d -> {
      if (!d.admitted()) {
        taken.forEach(Leases.Taken::undo);
        return d;
      }
      count(leasedOutcomes, byLeases);
      // Headers describe the policy with the least left, whichever side decided it.
      return d.limited() && d.remaining() <= byLeases.remaining() ? d : byLeases;
    });
  }

  private Future<Decision> decideExact(PolicySet set, List<Charge> charges, boolean consume) {
    CircuitBreaker.Permit permit = breaker.permit();
    if (permit == CircuitBreaker.Permit.SKIP) {
      return Future.succeededFuture(fallback(set, charges, consume));
    }
    return redisLimits.evaluate(charges, consume, set.config.cluster())
        .transform(ar -> {
          if (ar.succeeded()) {
            if (breaker.success()) {
              LOG.info("rate limiter: Redis answers again; limits are global again");
            }
            Decision d = Decision.from(ar.result(), false);
            if (consume) {
              count(ar.result(), d);
              local.remember(charges, ar.result());
            }
            return Future.succeededFuture(d);
          }
          boolean opened = breaker.failure(permit);
          metrics.redisFailure();
          reportFailure(ar.cause(), opened, set.config);
          return Future.succeededFuture(fallback(set, charges, consume));
        });
  }

  private Decision fallback(PolicySet set, List<Charge> charges, boolean consume) {
    List<Charge> locally = new ArrayList<>(charges.size());
    for (Charge c : charges) {
      Policy p = c.policy();
      if (p.onRedisFailure == FailureMode.CLOSED && !p.shadow) {
        if (consume) {
          metrics.decided(p.name, LimiterMetrics.UNAVAILABLE);
        }
        return Decision.unavailable(p.name);
      }
      if (p.onRedisFailure == FailureMode.LOCAL) {
        locally.add(c);
      }
    }
    if (locally.isEmpty()) {
      return Decision.unlimited(true);
    }
    List<Outcome> outcomes = local.evaluate(locally, consume, set.config.expectedNodes());
    Decision d = Decision.from(outcomes, true);
    if (consume) {
      count(outcomes, d);
    }
    return d;
  }

  private void count(List<Outcome> outcomes, Decision d) {
    for (Outcome o : outcomes) {
      if (!o.ok()) {
        metrics.decided(o.policy().name, o.policy().shadow ? LimiterMetrics.SHADOW_REJECTED : LimiterMetrics.REJECTED);
      } else if (d.admitted()) {
        metrics.decided(o.policy().name, LimiterMetrics.ADMITTED);
      }
    }
  }

  /** One line per 10 s at most: a dead Redis under load would otherwise log once per request. */
  private void reportFailure(Throwable cause, boolean opened, LimitsConfig config) {
    long failures = unreportedFailures.incrementAndGet();
    long now = System.currentTimeMillis();
    long last = lastFailureLog.get();
    if (now - last < LOG_INTERVAL_MS || !lastFailureLog.compareAndSet(last, now)) {
      return;
    }
    unreportedFailures.addAndGet(-failures);
    LOG.warn("rate limiter: {} Redis failure(s) since the last report ({}); deciding by each policy's "
            + "onRedisFailure (local: in-process, limits divided by expectedNodes={}){}", failures, cause.toString(),
        config.expectedNodes(),
        opened || breaker.open() ? "; skipping Redis for " + config.breaker().openMs() + " ms between probes" : "");
  }

  private static long wallClockMicros() {
    Instant now = Clock.systemUTC().instant();
    return now.getEpochSecond() * 1_000_000 + now.getNano() / 1_000;
  }
}
