package io.spillway.shed;

import io.spillway.web.Caller;
import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;

/**
 * The per-client in-flight cap for requests whose caller is only known after authentication. Mount it right
 * after the auth handlers; it counts the request (already admitted by {@link LoadShedHandler}) against its user
 * and answers 429 when that caller already has {@code shed.perClient.maxInFlight} in progress; an anonymous
 * request counts against its address (an IPv6 address by its /64) and {@code maxInFlightPerAddress}. The count
 * is given back with the request's slot, exactly once. A request {@link LoadShedHandler} already counted (its
 * caller was known at the door) passes straight through.
 */
public final class ClientConcurrencyHandler implements Handler<RoutingContext> {
  private final LoadShedder shedder;
  private final String retryAfter;

  public ClientConcurrencyHandler(LoadShedder shedder) {
    this.shedder = shedder;
    this.retryAfter = Integer.toString(shedder.config().retryAfterSeconds());
  }

  @Override
  public void handle(RoutingContext ctx) {
    Permit permit = ctx.get(LoadShedHandler.PERMIT);
    Caller caller = Caller.of(ctx);
    String client = caller.clientKey();
    if (client == null && caller.addressGroup() != null) {
      client = ClientConcurrency.ADDRESS + caller.addressGroup();
    }
    if (permit == null || client == null || permit.attachClient(client)) {
      ctx.next();
      return;
    }
    LoadShedHandler.reject(ctx, shedder.clientRejected(permit.priority()), retryAfter);
  }
}
