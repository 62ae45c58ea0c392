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
 * Liveness and readiness. Readiness asks every dependency owner over the event bus ({@link #ADDRESS_PREFIX}
 * + owner); it is 200 only when every check is up, else 503 naming each failing check.
 */
public final class HealthChecks {
  public static final String ADDRESS_PREFIX = "spillway.health.";
  private static final String READY_CONTENT = "application/json";

  private final Vertx vertx;
  private final List<String> owners;
  private final long timeoutMs;

  public HealthChecks(Vertx vertx, List<String> owners, long timeoutMs) {
    this.vertx = vertx;
    this.owners = owners;
    this.timeoutMs = timeoutMs;
  }

  public void live(RoutingContext ctx) {
    ctx.response().putHeader(HttpHeaders.CONTENT_TYPE, READY_CONTENT).end("{\"status\":\"up\"}");
  }

  public void ready(RoutingContext ctx) {
    check().onComplete(ar -> {
      Map<String, HealthReport> reports = ar.result();
      boolean up = reports.values().stream().allMatch(HealthReport::up);
      JsonObject body = new JsonObject().put("status", up ? "up" : "down").put("checks", HealthReport.toJson(reports));
      if (!up) {
        body.put("failing", new JsonArray(reports.values().stream().filter(r -> !r.up()).map(HealthReport::name).toList()));
      }
      ctx.response().setStatusCode(up ? 200 : 503).putHeader(HttpHeaders.CONTENT_TYPE, READY_CONTENT)
          .putHeader(HttpHeaders.CACHE_CONTROL, "no-store").end(body.encode());
    });
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
