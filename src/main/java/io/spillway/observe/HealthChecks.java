package io.spillway.observe;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Liveness, readiness and the dependency report.
 *
 * <ul>
 *   <li>{@code /health/live}: 200 while the process runs.</li>
 *   <li>{@code /health/ready}: "this node can take traffic", what a load balancer asks. 200 until a graceful
 *   stop starts draining, then 503. A dependency outage does not fail it: Redis down or one shard down
 *   hits every node alike, and a balancer that pulled them all would turn a partial outage into a full
 *   one. On the management port the answer also carries each dependency's report and says {@code
 *   degraded} while one is down.</li>
 *   <li>{@code /health/dependencies} (management port): 200 when every dependency answers, else 503
 *   naming each failing check; for monitoring and alerts, not for balancers.</li>
 * </ul>
 *
 * Dependencies are asked over the event bus ({@link #ADDRESS_PREFIX} + owner); a check that does not
 * answer within the timeout is down.
 */
public final class HealthChecks {
  public static final String ADDRESS_PREFIX = "spillway.health.";
  private static final String READY_CONTENT = "application/json";
  /** The liveness answer, the same whether the router or the node's front door gives it. */
  public static final String LIVE_BODY = "{\"status\":\"up\"}";

  private final Vertx vertx;
  private final List<String> owners;
  private final long timeoutMs;
  private final Readiness readiness;

  public HealthChecks(Vertx vertx, List<String> owners, long timeoutMs) {
    this.vertx = vertx;
    this.owners = owners;
    this.timeoutMs = timeoutMs;
    this.readiness = Readiness.of(vertx);
  }

  public void live(RoutingContext ctx) {
    ctx.response().putHeader(HttpHeaders.CONTENT_TYPE, READY_CONTENT).end(LIVE_BODY);
  }

  /** The public port's readiness: cheap (no dependency is asked), 503 only while draining. */
  public void ready(RoutingContext ctx) {
    boolean draining = readiness.draining();
    send(ctx, draining ? 503 : 200, new JsonObject().put("status", draining ? "draining" : "up"));
  }

  /** The management port's readiness: the same status code, with every dependency's report. */
  public void readyWithDetails(RoutingContext ctx) {
    check().onComplete(ar -> {
      Map<String, HealthReport> reports = ar.result();
      boolean draining = readiness.draining();
      boolean allUp = reports.values().stream().allMatch(HealthReport::up);
      JsonObject body = new JsonObject().put("status", draining ? "draining" : allUp ? "up" : "degraded")
          .put("checks", HealthReport.toJson(reports));
      if (!allUp) {
        body.put("failing", failing(reports));
      }
      send(ctx, draining ? 503 : 200, body);
    });
  }

  /** 200 when every dependency answers, else 503 naming the failing checks. */
  public void dependencies(RoutingContext ctx) {
    check().onComplete(ar -> {
      Map<String, HealthReport> reports = ar.result();
      boolean allUp = reports.values().stream().allMatch(HealthReport::up);
      JsonObject body = new JsonObject().put("status", allUp ? "up" : "down").put("checks", HealthReport.toJson(reports));
      if (!allUp) {
        body.put("failing", failing(reports));
      }
      send(ctx, allUp ? 200 : 503, body);
    });
  }

  private static JsonArray failing(Map<String, HealthReport> reports) {
    return new JsonArray(reports.values().stream().filter(r -> !r.up()).map(HealthReport::name).toList());
  }

  private static void send(RoutingContext ctx, int status, JsonObject body) {
    ctx.response().setStatusCode(status).putHeader(HttpHeaders.CONTENT_TYPE, READY_CONTENT)
        .putHeader(HttpHeaders.CACHE_CONTROL, "no-store").end(body.encode());
  }

  /** Every check's report; never fails (a failed or slow check is a down report). */
  public Future<Map<String, HealthReport>> check() {
    List<Future<List<HealthReport>>> all = new ArrayList<>();
    for (String owner : owners) {
      all.add(vertx.eventBus().<JsonArray>request(ADDRESS_PREFIX + owner, null,
              new DeliveryOptions().setSendTimeout(timeoutMs).setLocalOnly(true))
          .map(msg -> fromJson(msg.body()))
          .otherwise(err -> List.of(HealthReport.down(owner, err))));
    }
    return Future.join(all).otherwise(f -> null).map(v -> {
      Map<String, HealthReport> out = new TreeMap<>();
      for (Future<List<HealthReport>> f : all) {
        f.result().forEach(r -> out.put(r.name(), r));
      }
      return out;
    });
  }

  /** Replies to a health request with the owner's reports as a JSON array. */
  public static JsonArray toJson(List<HealthReport> reports) {
    JsonArray out = new JsonArray();
    reports.forEach(r -> out.add(new JsonObject().put("name", r.name()).put("up", r.up()).put("error", r.error())));
    return out;
  }

  private static List<HealthReport> fromJson(JsonArray array) {
    List<HealthReport> out = new ArrayList<>();
    for (int i = 0; i < array.size(); i++) {
      JsonObject o = array.getJsonObject(i);
      out.add(new HealthReport(o.getString("name"), o.getBoolean("up"), o.getString("error")));
    }
    return out;
  }
}
