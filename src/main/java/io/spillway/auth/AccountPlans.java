package io.spillway.auth;

import com.github.benmanes.caffeine.cache.Cache;
import io.spillway.web.Caller;
import io.spillway.web.Ids;
import io.spillway.web.Caches;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.ext.web.RoutingContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.function.Function;

/**
 * Attaches the account's usage plan to an authenticated request, whichever credential it used (a bearer
 * token or any of the account's API keys), so plan policies count per account. Plans are set server-side by
 * an administrator; an account that has none is on {@code auth.defaultPlan}. Looked up through a cache of
 * {@code auth.apiKeyCacheSeconds}; a change made on this node is seen at once (the admin call publishes it
 * on {@link #CHANGED}), one made on another node within that time.
 */
public final class AccountPlans implements Handler<RoutingContext> {
  /** Local event-bus address: the body is the id (a Long) of an account whose plan changed on this node. */
  public static final String CHANGED = "spillway.accounts.plan-changed";
  private static final Logger LOG = LoggerFactory.getLogger(AccountPlans.class);
  private static final int CACHE_CAPACITY = 100_000;

  private final Function<Long, Future<String>> lookup;
  private final String defaultPlan;
  private final Cache<Long, String> plans;
  private final MessageConsumer<Long> changes;

  /** {@code lookup} answers an account's stored plan (null: none, or no such account). */
  public AccountPlans(Vertx vertx, Function<Long, Future<String>> lookup, String defaultPlan, int ttlSeconds) {
    this.lookup = lookup;
    this.defaultPlan = defaultPlan;
    this.plans = Caches.builder().maximumSize(CACHE_CAPACITY).expireAfterWrite(Duration.ofSeconds(ttlSeconds)).build();
    this.changes = vertx.eventBus().localConsumer(CHANGED, msg -> plans.invalidate(Ids.spread(msg.body())));
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
    String hit = plans.getIfPresent(Ids.spread(userId));
    if (hit != null) {
      return Future.succeededFuture(hit);
    }
    return lookup.apply(userId)
        .map(stored -> {
          String plan = stored == null ? defaultPlan : stored;
          plans.put(Ids.spread(userId), plan);
          return plan;
        })
        .otherwise(err -> {
          LOG.debug("the plan of account {} could not be looked up, the default applies: {}", userId, err.getMessage());
          return defaultPlan;
        });
  }

  public Future<Void> close() {
    return changes.unregister();
  }
}
