package io.spillway.server;

import io.spillway.auth.AccountPlans;
import io.spillway.config.LimitsConfig;
import io.spillway.config.Plans;
import io.spillway.data.DataClient;
import io.spillway.data.Requests;
import io.spillway.web.Ids;
import io.spillway.web.JsonBodies;
import io.spillway.web.Problem;
import io.spillway.web.Problems;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

import java.util.Set;
import java.util.TreeSet;
import java.util.function.Supplier;

/**
 * {@code PUT /admin/accounts/{id}/plan} with {@code {"plan": "pro"}} (or {@code null}: back to {@code
 * auth.defaultPlan}): the only way an account's plan changes. The plan must be one the running rate limits
 * name (a policy's {@code plans}) or the default plan. This node's caches drop the account at once; other
 * nodes see the change within {@code auth.apiKeyCacheSeconds}.
 */
final class AccountPlanUpdate {
  private final Vertx vertx;
  private final DataClient data;
  private final Supplier<LimitsConfig> limits;
  private final String defaultPlan;

  AccountPlanUpdate(Vertx vertx, DataClient data, Supplier<LimitsConfig> limits, String defaultPlan) {
    this.vertx = vertx;
    this.data = data;
    this.limits = limits;
    this.defaultPlan = defaultPlan;
  }

  void handle(RoutingContext ctx) {
    long id = Ids.parse(ctx.pathParam("id"));
    if (id < 0) {
      Problems.send(ctx, Problem.invalidField("id", "must be a positive decimal 64-bit id"));
      return;
    }
    JsonObject body = JsonBodies.object(ctx);
    if (body.size() != 1 || !body.containsKey("plan") || body.getValue("plan") != null && !(body.getValue("plan") instanceof String)) {
      Problems.send(ctx, Problem.invalidField("plan", "the body is {\"plan\": \"<plan>\"}, or {\"plan\": null} for the default plan"));
      return;
    }
    String plan = body.getString("plan");
    Set<String> known = known();
    if (plan != null && (!Plans.valid(plan) || !known.contains(plan))) {
      Problems.send(ctx, Problem.invalidField("plan", "is not a plan of the running limits; known plans: "
          + String.join(", ", known)));
      return;
    }
    data.call(new Requests.SetAccountPlan(id, plan)).onComplete(ar -> {
      if (ar.failed()) {
        ctx.fail(ar.cause());
        return;
      }
      vertx.eventBus().publish(AccountPlans.CHANGED, id);
      String effective = ar.result().plan() == null ? defaultPlan : ar.result().plan();
      ctx.response().putHeader("Content-Type", "application/json")
          .end(new JsonObject().put("id", Ids.format(id)).put("plan", effective).encode());
    });
  }

  private Set<String> known() {
    Set<String> out = new TreeSet<>();
    out.add(defaultPlan);
    limits.get().policies().forEach(p -> out.addAll(p.common().plans()));
    return out;
  }
}
