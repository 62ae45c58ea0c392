package io.spillway.web;

import io.vertx.core.Handler;
import io.vertx.ext.web.Route;
import io.vertx.ext.web.RoutingContext;

/**
 * Records the template of the route a request matched. Put first on every API route so logs, metrics and
 * limits can name the route ({@code /v1/users/:id}) without the raw path's unbounded values.
 */
public final class RouteTemplates {
  static final String KEY = "routeTemplate";

  private RouteTemplates() {}

  public static Route named(Route route, String template) {
    Handler<RoutingContext> mark = ctx -> {
      ctx.put(KEY, template);
      ctx.next();
    };
    return route.handler(mark);
  }

  /**
   * Names a request that is answered before any route matched it (a shed request) by the rule that decided
   * it, so its log line and metrics say more than "unmatched". Bounded like a template: rules come from config.
   */
  public static void mark(RoutingContext ctx, String template) {
    if (ctx.get(KEY) == null) {
      ctx.put(KEY, template);
    }
  }

  /** The matched route's template ({@code /v1/users/:id}), never the raw path; "unmatched" before a match. */
  public static String of(RoutingContext ctx) {
    String template = ctx.get(KEY);
    if (template != null) {
      return template;
    }
    Route route = ctx.currentRoute();
    if (route != null && route.getPath() != null && !route.getPath().equals("/")) {
      return route.getPath();
    }
    return "unmatched";
  }
}
