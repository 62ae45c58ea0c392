package io.spillway.server;

import io.spillway.observe.Readiness;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpVersion;
import io.vertx.ext.web.RoutingContext;

/**
 * While the node drains, every HTTP/1.x response says {@code Connection: close} and the server closes the
 * connection once the response is out: a keep-alive client opens its next connection (to another node,
 * through the balancer) instead of sending its next request down a connection that is about to close
 * under it. WebSocket upgrades pass: their sessions get a 1001 close when the server stops.
 */
final class DrainHandler implements Handler<RoutingContext> {
  private final Readiness readiness;

  DrainHandler(Readiness readiness) {
    this.readiness = readiness;
  }

  @Override
  public void handle(RoutingContext ctx) {
    if (readiness.draining() && ctx.request().version() != HttpVersion.HTTP_2
        && !ctx.request().headers().contains(HttpHeaders.UPGRADE)) {
      ctx.response().putHeader(HttpHeaders.CONNECTION, HttpHeaders.CLOSE);
      ctx.addEndHandler(ended -> ctx.request().connection().close());
    }
    ctx.next();
  }
}
