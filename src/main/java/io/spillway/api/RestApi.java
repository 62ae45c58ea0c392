package io.spillway.api;

import io.spillway.api.graphql.GraphQlEndpoint;
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
import io.spillway.web.ProblemException;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

import java.util.function.Function;

/** The REST API, v1 and v2: mounts every resource on the router, with the contract it is checked against. */
public final class RestApi {
  private final Vertx vertx;
  private final AppConfig config;
  private final Routes routes;
  private final GraphQlReads graphQlReads;

  private RestApi(Vertx vertx, AppConfig config, Routes routes, GraphQlReads graphQlReads) {
    this.vertx = vertx;
    this.config = config;
    this.routes = routes;
    this.graphQlReads = graphQlReads;
  }

  public static RestApi mount(Vertx vertx, Router router, AppConfig config, JwtTokens tokens, PasswordHasher passwords,
                              LoginAttempts logins, StreamTickets tickets, RateLimiter limiter, ReadCache cache,
                              Handler<RoutingContext> clientConcurrency, MeterRegistry registry, ApiContract contract) {
    DataClient data = new DataClient(vertx, registry);
    CachedReads reads = new CachedReads(cache, data);
    Idempotency idempotency = new Idempotency(data);
    AuthConfig auth = config.auth();
    ApiKeyAuth apiKeys = new ApiKeyAuth(vertx,
        id -> data.call(new Requests.FindApiKey(id))
            .map(k -> k == null ? null : new ApiKeyAuth.StoredKey(k.id(), k.userId(), k.keyHash(), k.revokedAt() != null)),
        ids -> data.call(new Requests.TouchApiKeys(ids)), auth.apiKeyCacheSeconds(), auth.apiKeyUsedFlushSeconds());
    AccountPlans plans = new AccountPlans(vertx, storedPlans(data), auth.defaultPlan(),
        auth.apiKeyCacheSeconds());
    Routes routes = new Routes(router, config.http().maxBodyBytes(), new Routes.Chain(BearerAuth.required(tokens),
        BearerAuth.optional(tokens), apiKeys, plans, clientConcurrency, RateLimitHandler.beforeAuth(limiter),
        RateLimitHandler.afterAuth(limiter)))
        .versioned(contract, new ApiVersion.Headers(config.api()), new V2Representations(reads),
            config.api().validateReads());
    contract.serve(router);
    new UsersApi(data, cache, reads, passwords, idempotency).mount(routes);
    new AuthApi(data, passwords, logins, tokens).mount(routes);
    new ApiKeysApi(data, limiter, plans, auth.maxApiKeysPerAccount()).mount(routes);
    new PostsApi(data, cache, reads, idempotency).mount(routes);
    new FeedApi(data).mount(routes);
    new StreamTicketsApi(tickets).mount(routes);
    return new RestApi(vertx, config, routes, new GraphQlReads(data, cache, reads));
  }

  /**
   * {@code /graphql} (when {@code graphql.enabled}), and GraphiQL at {@code /graphiql/} in dev mode. {@code door} is
   * the shedding handler, run once the operation is known (the router's own door lets {@code /graphql} through).
   */
  public void mountGraphQl(Router router, Handler<RoutingContext> door) {
    if (!config.api().graphqlEnabled()) {
      return;
    }
    GraphQlEndpoint endpoint = new GraphQlEndpoint(graphQlReads, config.api());
    int maxBody = config.api().graphqlMaxQueryBytes() + GraphQlEndpoint.MAX_VARIABLES_BYTES + 1024;
    routes.addGraphQl(GraphQlEndpoint.PATH, maxBody, endpoint::prepare, door, endpoint.execute());
    if (config.devMode()) {
      router.route("/graphiql*").subRouter(GraphQlEndpoint.graphiql(vertx));
    }
  }

  /**
   * An account's stored plan, null when it has none or there is no such account (a valid token of an account
   * that is gone): that answer is cached like any other, so such a token costs no query per request.
   */
  private static Function<Long, Future<String>> storedPlans(DataClient data) {
    return id -> data.call(new Requests.GetAccountPlan(id)).map(Model.AccountPlan::plan)
        .recover(err -> ProblemException.hasStatus(err, 404) ? Future.succeededFuture(null) : Future.failedFuture(err));
  }
}
