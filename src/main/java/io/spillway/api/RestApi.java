package io.spillway.api;

import io.spillway.data.DataClient;
import io.spillway.auth.BearerAuth;
import io.spillway.cache.ReadCache;
import io.spillway.auth.JwtTokens;
import io.spillway.auth.PasswordHasher;
import io.micrometer.core.instrument.MeterRegistry;
import io.spillway.auth.ApiKeyAuth;
import io.spillway.config.AppConfig;
import io.spillway.data.Model;
import io.spillway.data.Requests;
import io.spillway.limit.RateLimitHandler;
import io.spillway.limit.RateLimiter;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

import java.util.Set;
import java.util.TreeSet;

/** The v1 REST API: mounts every resource on the router. */
public final class RestApi {
  private RestApi() {}

  public static void mount(Vertx vertx, Router router, AppConfig config, JwtTokens tokens, PasswordHasher passwords,
                           RateLimiter limiter, ReadCache cache, Handler<RoutingContext> clientConcurrency,
                           MeterRegistry registry) {
    DataClient data = new DataClient(vertx, registry);
    CachedReads reads = new CachedReads(cache, data);
    Idempotency idempotency = new Idempotency(data);
    ApiKeyAuth apiKeys = new ApiKeyAuth(id -> data.call(new Requests.UseApiKey(id))
        .map(k -> k == null ? null : new ApiKeyAuth.StoredKey(k.id(), k.userId(), k.plan(), k.keyHash(),
            k.revokedAt() != null)), config.apiKeyCacheSeconds());
    Routes routes = new Routes(router, config.http().maxBodyBytes(), BearerAuth.required(tokens),
        BearerAuth.optional(tokens), apiKeys, clientConcurrency, new RateLimitHandler(limiter));
    Set<String> plans = new TreeSet<>();
    config.limits().policies().forEach(p -> plans.addAll(p.common().plans()));
    new UsersApi(data, cache, reads, passwords, idempotency).mount(routes);
    new AuthApi(data, passwords, tokens, new LoginThrottle(limiter)).mount(routes);
    if (plans.isEmpty()) {
      plans.add("default");
    }
    // New keys get the "free" plan when there is one, else the first plan by name.
    new ApiKeysApi(data, limiter, plans, plans.contains("free") ? "free" : plans.iterator().next()).mount(routes);
    new PostsApi(data, cache, reads, idempotency).mount(routes);
    new FeedApi(data).mount(routes);
  }
}
