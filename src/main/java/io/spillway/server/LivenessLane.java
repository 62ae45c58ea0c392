package io.spillway.server;

import io.spillway.observe.HealthChecks;
import io.spillway.observe.HttpMetrics;
import io.spillway.observe.Readiness;
import io.spillway.web.RequestIds;
import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;

/**
 * Answers the liveness probe ({@code GET /health/live}) before the router, like a proxy's health-check
 * filter: a balancer or kubelet probing every second on every node should cost next to nothing, and no API
 * middleware (shedding, limits, the access log) may make a live process look dead. The answer is the same as
 * the routed one: 200, {@code {"status":"up"}}, the request id; it is counted in the request metrics under the
 * route {@code /health/live} and not written to the access log. Everything else, and the probe while the node
 * drains (its answer then closes the connection, see {@link DrainHandler}), goes to the router.
 */
final class LivenessLane implements Handler<HttpServerRequest> {
  static final String PATH = "/health/live";
  private static final Buffer BODY = Buffer.buffer(HealthChecks.LIVE_BODY);
  private static final CharSequence JSON = HttpHeaders.createOptimized("application/json");
  private static final CharSequence REQUEST_ID = HttpHeaders.createOptimized(RequestIds.HEADER);

  private final Handler<HttpServerRequest> router;
  private final Readiness readiness;
  private final HttpMetrics metrics;

  /** {@code metrics}: the node's request metrics, or null for none. */
  LivenessLane(Handler<HttpServerRequest> router, Readiness readiness, HttpMetrics metrics) {
    this.router = router;
    this.readiness = readiness;
    this.metrics = metrics;
  }

  @Override
  public void handle(HttpServerRequest request) {
    if (request.method() != HttpMethod.GET || !PATH.equals(request.path()) || readiness.draining()) {
      router.handle(request);
      return;
    }
    long start = System.nanoTime();
    request.response()
        .putHeader(REQUEST_ID, RequestIds.resolve(request.getHeader(REQUEST_ID)))
        .putHeader(HttpHeaders.CONTENT_TYPE, JSON)
        .end(BODY.slice());
    if (metrics != null) {
      metrics.record(HttpMethod.GET, PATH, 200, System.nanoTime() - start);
    }
  }
}
