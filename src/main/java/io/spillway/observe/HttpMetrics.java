package io.spillway.observe;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.spillway.web.RouteTemplates;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.RoutingContext;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * The public HTTP server's request metrics, under the names Vert.x's own metrics use (so dashboards and alerts
 * read them unchanged): {@code vertx_http_server_requests_total{method, code, route}}, {@code
 * vertx_http_server_response_time_seconds{method, code, route}} (a histogram) and {@code
 * vertx_http_server_active_requests}. The route is the matched template, never the raw path.
 *
 * <p>Why not Vert.x's: it looks its meters up in the registry by name and tags on every request, building
 * tag lists each time. Here each (route, method, status) finds its meters in an array slot after one lookup
 * of the route: nothing is allocated or hashed per request but the route's name.
 */
public final class HttpMetrics implements Handler<RoutingContext> {
  private static final String[] METHODS = {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "OTHER"};
  private static final int STATUSES = 600;

  private final MeterRegistry registry;
  private final AtomicLong active = new AtomicLong();
  private final ConcurrentHashMap<String, AtomicReferenceArray<Meters>> routes = new ConcurrentHashMap<>();

  private record Meters(Counter requests, Timer time) {}

  public HttpMetrics(MeterRegistry registry) {
    this.registry = registry;
    Gauge.builder("vertx.http.server.active.requests", active, AtomicLong::get)
        .description("Requests in progress on the public HTTP server")
        .register(registry);
  }

  @Override
  public void handle(RoutingContext ctx) {
    long start = System.nanoTime();
    active.incrementAndGet();
    ctx.addEndHandler(ended -> {
      active.decrementAndGet();
      record(ctx.request().method(), RouteTemplates.of(ctx), ctx.response().getStatusCode(), System.nanoTime() - start);
    });
    ctx.next();
  }

  /** Counts one request answered outside the router (see {@code server.LivenessLane}). */
  public void record(HttpMethod method, String route, int status, long nanos) {
    int m = methodIndex(method);
    int s = status >= 0 && status < STATUSES ? status : 0;
    AtomicReferenceArray<Meters> slots = routes.get(route);
    if (slots == null) {
      slots = routes.computeIfAbsent(route, r -> new AtomicReferenceArray<>(METHODS.length * STATUSES));
    }
    int slot = m * STATUSES + s;
    Meters meters = slots.get(slot);
    if (meters == null) {
      meters = new Meters(
          Counter.builder("vertx.http.server.requests").description("Requests served, by method, status and route")
              .tag("method", METHODS[m]).tag("code", Integer.toString(status)).tag("route", route)
              .register(registry),
          Timer.builder("vertx.http.server.response.time").description("Time to the response's end")
              .tag("method", METHODS[m]).tag("code", Integer.toString(status)).tag("route", route)
              .publishPercentileHistogram()
              .register(registry));
      slots.compareAndSet(slot, null, meters);
      meters = slots.get(slot);
    }
    meters.requests().increment();
    meters.time().record(nanos, TimeUnit.NANOSECONDS);
  }

  private static int methodIndex(HttpMethod method) {
    String name = method.name();
    for (int i = 0; i < METHODS.length - 1; i++) {
      if (METHODS[i].equals(name)) {
        return i;
      }
    }
    return METHODS.length - 1;
  }
}
