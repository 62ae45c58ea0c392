package io.spillway.observe;

import io.spillway.web.RequestIds;
import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;

import java.util.function.Supplier;

/**
 * Continues the client's W3C trace (or starts one) for each request, lazily: the trace is made the first time
 * something records it (an access-log line, an error line, a data-layer call, an outbox event), so a request
 * served from memory and not logged never pays for it. All of those then name the same trace.
 */
public final class TraceHandler implements Handler<RoutingContext> {
  /** Read on the request's own context, it gives the request's trace id (making the trace if need be). */
  private static final Supplier<String> CURRENT = () -> {
    String traceparent = TraceContext.current();
    return traceparent == null ? null : TraceContext.traceId(traceparent);
  };

  @Override
  public void handle(RoutingContext ctx) {
    String recording = TraceContext.current();
    if (recording != null) {
      // A recording tracer's span is current only inside its scope: keep its id for later readers.
      String id = TraceContext.traceId(recording);
      ctx.put(RequestIds.TRACE_ID, (Supplier<String>) () -> id);
    } else {
      TraceContext.defer(ctx.request().getHeader(TraceContext.HEADER));
      ctx.put(RequestIds.TRACE_ID, CURRENT);
    }
    ctx.next();
  }
}
