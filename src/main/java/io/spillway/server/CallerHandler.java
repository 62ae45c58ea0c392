package io.spillway.server;

import io.spillway.web.Caller;
import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;

import java.util.List;

/**
 * The door: resolves the client's address once (unwrapping {@code X-Forwarded-For} from trusted proxies) and
 * attaches an anonymous {@link Caller}, before shedding and anything costly. Authentication later adds who
 * the caller is. One per node, shared by every HttpVerticle; the trusted proxies change with the limits
 * section at runtime.
 */
public final class CallerHandler implements Handler<RoutingContext> {
  private volatile ClientAddress addresses;

  public CallerHandler(List<String> trustedProxies) {
    trust(trustedProxies);
  }

  /** Replaces the trusted proxies (a validated {@code limits.trustedProxies}); requests in flight keep theirs. */
  public void trust(List<String> trustedProxies) {
    this.addresses = ClientAddress.trusting(trustedProxies);
  }

  @Override
  public void handle(RoutingContext ctx) {
    Caller.anonymous(addresses.of(ctx.request())).attach(ctx);
    ctx.next();
  }
}
