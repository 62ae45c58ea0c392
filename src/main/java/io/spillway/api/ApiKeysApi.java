package io.spillway.api;

import io.spillway.web.Caller;
import io.spillway.data.DataClient;
import io.spillway.auth.ApiKeys;
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
 * caller's standing under every limit that applies to them (quota remaining, throttle).
 */
final class ApiKeysApi {
  private final DataClient data;
  private final RateLimiter limiter;
  private final Set<String> plans;
  private final String defaultPlan;

  ApiKeysApi(DataClient data, RateLimiter limiter, Set<String> plans, String defaultPlan) {
    this.data = data;
    this.limiter = limiter;
    this.plans = plans;
    this.defaultPlan = defaultPlan;
  }

  void mount(Routes routes) {
    routes.addJson(HttpMethod.POST, "/v1/api-keys", Routes.Access.REQUIRED, this::create);
    routes.add(HttpMethod.GET, "/v1/api-keys", Routes.Access.REQUIRED, this::list);
    routes.add(HttpMethod.DELETE, "/v1/api-keys/:id", Routes.Access.REQUIRED, this::revoke);
    routes.add(HttpMethod.GET, "/v1/usage", Routes.Access.REQUIRED, this::usage);
  }

  Future<ApiResponse> create(RoutingContext ctx, JsonObject body) {
    Fields f = Fields.of(body, Set.of("name", "plan"));
    String name = f.optional("name", 0, 100);
    String plan = f.optional("plan", 1, 64);
    if (plan == null) {
      plan = defaultPlan;
    } else if (!plans.contains(plan)) {
      throw Fields.invalid("plan", "'" + plan + "' is not a plan; allowed: " + String.join(", ", plans.stream().sorted().toList()));
    }
    long user = Caller.of(ctx).userId();
    return data.call(new Requests.CreateApiKey(user, name == null ? "" : name, plan, id -> {
          String key = ApiKeys.generate(id);
          return new Model.NewApiKey(key, ApiKeys.prefix(key), ApiKeys.hash(key));
        }))
        .map(created -> ApiResponse.created(json(created.stored()).put("key", created.key()),
            "/v1/api-keys/" + Ids.format(created.stored().id())));
  }

  Future<ApiResponse> list(RoutingContext ctx) {
    return data.call(new Requests.ListApiKeys(Caller.of(ctx).userId()))
        .map(keys -> ApiResponse.ok(new JsonObject().put("items",
            new JsonArray(keys.stream().map(ApiKeysApi::json).toList()))));
  }

  Future<ApiResponse> revoke(RoutingContext ctx) {
    long id = Params.id(ctx, "id");
    return data.call(new Requests.RevokeApiKey(id, Caller.of(ctx).userId())).map(v -> ApiResponse.noContent());
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

  static JsonObject json(Model.ApiKey k) {
    return new JsonObject()
        .put("id", Ids.format(k.id()))
        .put("name", k.name())
        .put("prefix", k.prefix())
        .put("plan", k.plan())
        .put("createdAt", k.createdAt().toString())
        .put("lastUsedAt", k.lastUsedAt() == null ? null : k.lastUsedAt().toString());
  }
}
