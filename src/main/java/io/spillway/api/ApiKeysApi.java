package io.spillway.api;

import io.spillway.web.Caller;
import io.spillway.data.DataClient;
import io.spillway.auth.AccountPlans;
import io.spillway.auth.ApiKeys;
import io.spillway.web.Problem;
import io.spillway.web.ProblemException;
import io.spillway.web.Ids;
import io.spillway.data.Model;
import io.spillway.data.Requests;
import io.spillway.limit.RateLimitHandler;
import io.spillway.limit.RateLimiter;
import io.vertx.core.Future;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

import java.util.List;
import java.util.Set;

/**
 * API keys and their usage: create (the key is shown once), list, revoke, and {@code GET /v1/usage}, the
 * caller's standing under every limit that applies to them (quota remaining, throttle). Keys are managed with
 * a bearer token only (an API key cannot make, list or revoke keys), an account holds at most {@code
 * auth.maxApiKeysPerAccount} active keys, and a key has no plan of its own: the account's plan, which only an
 * administrator sets, applies to every credential.
 */
final class ApiKeysApi {
  private final DataClient data;
  private final RateLimiter limiter;
  private final AccountPlans plans;
  private final int maxKeys;

  ApiKeysApi(DataClient data, RateLimiter limiter, AccountPlans plans, int maxKeys) {
    this.data = data;
    this.limiter = limiter;
    this.plans = plans;
    this.maxKeys = maxKeys;
  }

  void mount(Routes routes) {
    routes.addJson(HttpMethod.POST, "/v1/api-keys", Routes.Access.REQUIRED, this::create);
    routes.add(HttpMethod.GET, "/v1/api-keys", Routes.Access.REQUIRED, this::list);
    routes.add(HttpMethod.DELETE, "/v1/api-keys/:id", Routes.Access.REQUIRED, this::revoke);
    routes.add(HttpMethod.GET, "/v1/usage", Routes.Access.REQUIRED, this::usage);
  }

  Future<ApiResponse> create(RoutingContext ctx, JsonObject body) {
    long user = manager(ctx);
    if (body.containsKey("plan")) {
      throw Fields.invalid("plan", "a key has no plan of its own: the account's plan applies, and only an "
          + "administrator changes it");
    }
    String name = Fields.of(body, Set.of("name")).optional("name", 0, 100);
    return plans.planOf(user)
        .compose(plan -> data.call(new Requests.CreateApiKey(user, name == null ? "" : name, plan, maxKeys, id -> {
          String key = ApiKeys.generate(id);
          return new Model.NewApiKey(key, ApiKeys.prefix(key), ApiKeys.hash(key));
        })).map(created -> ApiResponse.created(json(created.stored(), plan).put("key", created.key()),
            "/v1/api-keys/" + Ids.format(created.stored().id())).secret()));
  }

  Future<ApiResponse> list(RoutingContext ctx) {
    long user = manager(ctx);
    return plans.planOf(user).compose(plan -> data.call(new Requests.ListApiKeys(user))
        .map(keys -> ApiResponse.ok(new JsonObject().put("items",
            new JsonArray(keys.stream().map(k -> json(k, plan)).toList())))));
  }

  Future<ApiResponse> revoke(RoutingContext ctx) {
    long user = manager(ctx);
    long id = Params.id(ctx, "id");
    return data.call(new Requests.RevokeApiKey(id, user)).map(v -> ApiResponse.noContent());
  }

  Future<ApiResponse> usage(RoutingContext ctx) {
    Caller caller = Caller.of(ctx);
    return limiter.usage(RateLimitHandler.requestInfo(ctx))
        .map(list -> ApiResponse.ok(new JsonObject()
            .put("plan", caller.plan())
            .put("apiKeyId", caller.apiKeyId())
            .put("limits", new JsonArray(list.stream().map(u -> new JsonObject()
                .put("policy", u.policy()).put("algorithm", u.algorithm()).put("limit", u.limit())
                .put("remaining", u.remaining()).put("resetSeconds", u.resetSeconds())).toList()))));
  }

  /** The caller's account, when it may manage keys: signed in with a bearer token, not with an API key. */
  private static long manager(RoutingContext ctx) {
    Caller caller = Caller.of(ctx);
    if (caller.apiKeyId() != null) {
      throw new ProblemException(Problem.forbidden("an API key cannot manage API keys; use a bearer token"));
    }
    return caller.userId();
  }

  /** A key as listed: its {@code plan} is the account's, the one that applies to it now. */
  static JsonObject json(Model.ApiKey k, String plan) {
    return new JsonObject()
        .put("id", Ids.format(k.id()))
        .put("name", k.name())
        .put("prefix", k.prefix())
        .put("plan", plan)
        .put("createdAt", k.createdAt().toString())
        .put("lastUsedAt", k.lastUsedAt() == null ? null : k.lastUsedAt().toString());
  }
}
