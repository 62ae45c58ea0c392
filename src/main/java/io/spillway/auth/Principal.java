package io.spillway.auth;

import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

/** Who made a request: the verified token's subject and claims. */
public record Principal(String subject, JsonObject claims) {
  static final String KEY = "principal";

  public static Principal of(RoutingContext ctx) {
    return ctx.get(KEY);
  }

  void attach(RoutingContext ctx) {
    ctx.put(KEY, this);
  }
}
