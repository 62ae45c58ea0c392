package io.spillway.web;

import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;

import java.util.concurrent.atomic.AtomicLong;

/**
 * Gives each request an id: the client's {@code X-Request-Id} when it is 1-128 characters of {@code
 * [A-Za-z0-9._-]}, else a fresh one. Echoed on the response and written in the access log.
 */
public final class RequestIds implements Handler<RoutingContext> {
  public static final String HEADER = "X-Request-Id";
  static final String KEY = "requestId";
  /**
   * Routing-context key of a {@code Supplier<String>} of the request's W3C trace id, set by the tracing handler
   * when tracing is on (the trace is made when first asked for).
   */
  public static final String TRACE_ID = "traceId";
  private static final String PREFIX = prefix();
  private static final AtomicLong SEQUENCE = new AtomicLong();

  private static String prefix() {
    char[] hex = "0123456789abcdef".toCharArray();
    long r = new java.security.SecureRandom().nextLong();
    char[] out = new char[16];
    for (int i = 0; i < 16; i++) {
      out[i] = hex[(int) (r >>> (60 - 4 * i)) & 0xf];
    }
    return new String(out) + "-";
  }

  @Override
  public void handle(RoutingContext ctx) {
    String id = resolve(ctx.request().getHeader(HEADER));
    ctx.put(KEY, id);
    ctx.response().putHeader(HEADER, id);
    ctx.next();
  }

  public static String of(RoutingContext ctx) {
    return ctx.get(KEY);
  }

  /** The request's trace id, or null when tracing is off. */
  public static String traceId(RoutingContext ctx) {
    Object value = ctx.get(TRACE_ID);
    return value instanceof java.util.function.Supplier<?> s ? (String) s.get() : null;
  }

  /** The request's id: the client's {@code X-Request-Id} value when valid, else a fresh one. */
  public static String resolve(String header) {
    return valid(header) ? header : generate();
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

  /**
   * A fresh id: this process's random prefix and a sequence number, so ids are unique across nodes and
   * restarts without drawing random numbers for every request.
   */
  public static String generate() {
    return PREFIX + Long.toString(SEQUENCE.incrementAndGet(), 36);
  }

}
