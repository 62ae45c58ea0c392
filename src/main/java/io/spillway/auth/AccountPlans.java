package io.spillway.auth;

import com.github.benmanes.caffeine.cache.Cache;
import io.spillway.web.Caller;
import io.spillway.web.Ids;
import io.spillway.web.Caches;
import io.spillway.web.RefreshAhead;
import io.spillway.redis.SingleFlight;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.ext.web.RoutingContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import java.util.function.LongSupplier;

/**
 * Attaches the account's usage plan to an authenticated request, whichever credential it used (a bearer
 * token or any of the account's API keys), so plan policies count per account. Plans are set server-side by
 * an administrator; an account that has none is on {@code auth.defaultPlan}. Looked up through a cache of
 * {@code auth.apiKeyCacheSeconds}; a change made on this node is seen at once (the admin call publishes it
 * on {@link #CHANGED}), one made on another node within that time.
 *
 * <p>An account's requests do not wait for its plan once it has been looked up: a cached plan read after
 * {@value #REFRESH_AFTER} of its lifetime is looked up again in the background while the requests go on with
 * it ({@link RefreshAhead}), and the new answer replaces it with a full lifetime. A plan nobody uses near its end still expires.
 * A lookup that fails in the background changes nothing (the plan then expires as usual). Lookups of one
 * account are one at a time ({@link SingleFlight}): when an active account's plan used to expire, each of its
 * requests in the next few milliseconds looked it up again, and all of them waited.
 */
public final class AccountPlans implements Handler<RoutingContext> {
  /** Local event-bus address: the body is the id (a Long) of an account whose plan changed on this node. */
  public static final String CHANGED = "spillway.accounts.plan-changed";
  private static final Logger LOG = LoggerFactory.getLogger(AccountPlans.class);
  private static final int CACHE_CAPACITY = 100_000;
  /** The share of a cached plan's lifetime after which a read of it starts a lookup in the background. */
  static final double REFRESH_AFTER = 0.8;

  private final Function<Long, Future<String>> lookup;
  private final String defaultPlan;
  private final LongSupplier nanos;
  private final long refreshAfterNanos;
  private final Cache<Long, RefreshAhead<String>> plans;
  private final SingleFlight<Long, String> lookups = new SingleFlight<>();
  /** Bumped by every change: a lookup that began before a change does not cache what it read. */
  private final AtomicLong changes = new AtomicLong();
  private final MessageConsumer<Long> changed;

  /** {@code lookup} answers an account's stored plan (null: none, or no such account). */
  public AccountPlans(Vertx vertx, Function<Long, Future<String>> lookup, String defaultPlan, int ttlSeconds) {
    this(vertx, lookup, defaultPlan, ttlSeconds, System::nanoTime);
  }

  /** The same on the clock {@code nanos}. */
  AccountPlans(Vertx vertx, Function<Long, Future<String>> lookup, String defaultPlan, int ttlSeconds,
               LongSupplier nanos) {
    this.lookup = lookup;
    this.defaultPlan = defaultPlan;
    this.nanos = nanos;
    this.refreshAfterNanos = (long) (TimeUnit.SECONDS.toNanos(ttlSeconds) * REFRESH_AFTER);
    this.plans = Caches.builder().maximumSize(CACHE_CAPACITY).expireAfterWrite(Duration.ofSeconds(ttlSeconds))
        .ticker(nanos::getAsLong).build();
    this.changed = vertx.eventBus().localConsumer(CHANGED, msg -> changed(msg.body()));
  }

  /** The plan of {@code accountId} changed on this node: the next request looks it up. */
  void changed(long accountId) {
    changes.incrementAndGet();
    plans.invalidate(Ids.spread(accountId));
  }

  @Override
  public void handle(RoutingContext ctx) {
    Caller caller = Caller.of(ctx);
    if (!caller.authenticated()) {
      ctx.next();
      return;
    }
    planOf(caller.userId()).onComplete(ar -> {
      caller.withPlan(ar.result()).attach(ctx);
      ctx.next();
    });
  }

  /** The account's plan; never fails: when it cannot be looked up the request is on the default plan. */
  public Future<String> planOf(long userId) {
    RefreshAhead<String> held = plans.getIfPresent(Ids.spread(userId));
    if (held == null) {
      return lookups.run(userId, () -> lookUp(userId));
    }
    if (held.claim(nanos.getAsLong())) {
      lookups.run(userId, () -> lookUp(userId));
    }
    return Future.succeededFuture(held.value());
  }

  private Future<String> lookUp(long userId) {
    long before = changes.get();
    return lookup.apply(userId)
        .map(stored -> {
          String plan = stored == null ? defaultPlan : stored;
          if (changes.get() == before) {
            plans.put(Ids.spread(userId), RefreshAhead.of(plan, nanos.getAsLong(), refreshAfterNanos));
          }
          return plan;
        })
        .otherwise(err -> {
          LOG.debug("the plan of account {} could not be looked up, the default applies: {}", userId, err.getMessage());
          return defaultPlan;
        });
  }

  public Future<Void> close() {
    return changed.unregister();
  }
}
