package io.spillway.http;

import io.spillway.observe.TraceContext;
import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;

import java.util.concurrent.ThreadLocalRandom;

/**
 * Gives each request an id: the client's {@code X-Request-Id} when it is 1-128 characters of {@code
 * [A-Za-z0-9._-]}, else a fresh random one. Echoed on the response and written in the access log.
 */
public final class RequestIds implements Handler<RoutingContext> {
  public static final String HEADER = "X-Request-Id";
  static final String KEY = "requestId";
  static final String TRACE_ID = "traceId";
  private static final char[] HEX = "0123456789abcdef".toCharArray();
  private final boolean traceContext;

  /** {@code traceContext}: continue or start a W3C trace for each request (see {@link TraceContext}). */
  public RequestIds(boolean traceContext) {
    this.traceContext = traceContext;
  }

  @Override
  public void handle(RoutingContext ctx) {
    String id = ctx.request().getHeader(HEADER);
    if (!valid(id)) {
      id = generate();
    }
    ctx.put(KEY, id);
    ctx.response().putHeader(HEADER, id);
    if (traceContext) {
      String traceparent = TraceContext.current();
      if (traceparent == null) {
        traceparent = TraceContext.continueOrStart(ctx.request().getHeader(TraceContext.HEADER));
        TraceContext.attach(traceparent);
      }
      ctx.put(TRACE_ID, TraceContext.traceId(traceparent));
    }
    ctx.next();
  }

  public static String of(RoutingContext ctx) {
    return ctx.get(KEY);
  }

  static boolean valid(String id) {
    if (id == null || id.isEmpty() || id.length() > 128) {
      return false;
    }
    for (int i = 0; i < id.length(); i++) {
      char c = id.charAt(i);
      boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
          || c == '.' || c == '_' || c == '-';
      if (!ok) {
        return false;
      }
    }
    return true;
  }

  static String generate() {
    ThreadLocalRandom r = ThreadLocalRandom.current();
    char[] out = new char[32];
    long a = r.nextLong();
    long b = r.nextLong();
    for (int i = 0; i < 16; i++) {
      out[i] = HEX[(int) (a >>> (60 - 4 * i)) & 0xf];
      out[16 + i] = HEX[(int) (b >>> (60 - 4 * i)) & 0xf];
    }
    return new String(out);
  }
}
