package io.spillway.observe;

import io.vertx.core.json.JsonObject;

import java.util.Map;

/** The outcome of one dependency check (a Pg shard, Redis, Kafka): up, or down with the reason. */
public record HealthReport(String name, boolean up, String error) {
  public static HealthReport up(String name) {
    return new HealthReport(name, true, null);
  }

  public static HealthReport down(String name, Throwable cause) {
    String msg = cause == null ? "unknown" : cause.getMessage();
    return new HealthReport(name, false, msg == null ? cause.getClass().getSimpleName() : msg);
  }

  JsonObject toJson() {
    JsonObject json = new JsonObject().put("status", up ? "up" : "down");
    if (error != null) {
      json.put("error", error);
    }
    return json;
  }

  static JsonObject toJson(Map<String, HealthReport> reports) {
    JsonObject checks = new JsonObject();
    reports.forEach((k, v) -> checks.put(k, v.toJson()));
    return checks;
  }
}
