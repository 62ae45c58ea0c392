package io.spillway.web;

import io.vertx.ext.web.RoutingContext;

/**
 * How many units a request weighs against the rate limits: 1 for a REST call, more for a GraphQL query that
 * asks for many objects (its complexity, see docs/graphql.md). Set before the rate-limit handler runs.
 */
public final class RequestCost {
  private static final String KEY = "spillway.cost";

  private RequestCost() {}

  public static void set(RoutingContext ctx, int units) {
    ctx.put(KEY, Math.max(1, units));
  }

  public static int of(RoutingContext ctx) {
    Integer units = ctx.get(KEY);
    return units == null ? 1 : units;
  }
}
