package io.spillway.api;

import io.spillway.data.DataClient;
import io.spillway.auth.BearerAuth;
import io.spillway.cache.ReadCache;
import io.spillway.auth.JwtTokens;
import io.spillway.auth.LoginAttempts;
import io.spillway.push.StreamTickets;
import io.spillway.auth.PasswordHasher;
import io.micrometer.core.instrument.MeterRegistry;
import io.spillway.auth.AccountPlans;
import io.spillway.auth.ApiKeyAuth;
import io.spillway.config.AuthConfig;
import io.spillway.config.AppConfig;
import io.spillway.data.Model;
import io.spillway.data.Requests;
import io.spillway.limit.RateLimitHandler;
import io.spillway.limit.RateLimiter;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;


/** The v1 REST API: mounts every resource on the router. */
public final class RestApi {
  private RestApi() {}

  public static void mount(Vertx vertx, Router router, AppConfig config, JwtTokens tokens, PasswordHasher passwords,
                           LoginAttempts logins, StreamTickets tickets, RateLimiter limiter, ReadCache cache, Handler<RoutingContext> clientConcurrency,
                           MeterRegistry registry) {
    DataClient data = new DataClient(vertx, registry);
    CachedReads reads = new CachedReads(cache, data);
    Idempotency idempotency = new Idempotency(data);
    AuthConfig auth = config.auth();
    ApiKeyAuth apiKeys = new ApiKeyAuth(vertx,
        id -> data.call(new Requests.FindApiKey(id))
            .map(k -> k == null ? null : new ApiKeyAuth.StoredKey(k.id(), k.userId(), k.keyHash(), k.revokedAt() != null)),
        ids -> data.call(new Requests.TouchApiKeys(ids)), auth.apiKeyCacheSeconds(), auth.apiKeyUsedFlushSeconds());
    AccountPlans plans = new AccountPlans(vertx, id -> data.call(new Requests.GetAccountPlan(id)).map(Model.AccountPlan::plan),
        auth.defaultPlan(), auth.apiKeyCacheSeconds());
    Routes routes = new Routes(router, config.http().maxBodyBytes(), new Routes.Chain(BearerAuth.required(tokens),
        BearerAuth.optional(tokens), apiKeys, plans, clientConcurrency, RateLimitHandler.beforeAuth(limiter),
        RateLimitHandler.afterAuth(limiter)));
    new UsersApi(data, cache, reads, passwords, idempotency).mount(routes);
    new AuthApi(data, passwords, logins, tokens).mount(routes);
    new ApiKeysApi(data, limiter, plans, auth.maxApiKeysPerAccount()).mount(routes);
    new PostsApi(data, cache, reads, idempotency).mount(routes);
    new FeedApi(data).mount(routes);
    new StreamTicketsApi(tickets).mount(routes);
  }
}
