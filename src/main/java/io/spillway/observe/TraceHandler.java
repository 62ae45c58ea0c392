package io.spillway.observe;

import io.spillway.web.RequestIds;
import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;

/**
 * Continues the client's W3C trace (or starts one) for each request and names it on the routing context, so
 * the access log, error lines, the data layer and the push all carry the same trace id.
 */
public final class TraceHandler implements Handler<RoutingContext> {
  @Override
  public void handle(RoutingContext ctx) {
    String traceparent = TraceContext.current();
    if (traceparent == null) {
      traceparent = TraceContext.continueOrStart(ctx.request().getHeader(TraceContext.HEADER));
      TraceContext.attach(traceparent);
    }
    ctx.put(RequestIds.TRACE_ID, TraceContext.traceId(traceparent));
    ctx.next();
  }
}
