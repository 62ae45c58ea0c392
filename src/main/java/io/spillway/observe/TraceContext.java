package io.spillway.observe;

import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.internal.ContextInternal;

import java.util.concurrent.ThreadLocalRandom;

/**
 * W3C trace context ({@code traceparent}) carried along a request without recording spans: continued from the
 * client's header (or started), kept on the request's duplicated Vert.x context, sent with every data-layer
 * message and written into outbox events, so the access log, the data layer and the WebSocket push all name
 * the same trace. When the OpenTelemetry tracer is installed (spans are exported), its current span wins.
 */
public final class TraceContext {
  public static final String HEADER = "traceparent";
  private static final String KEY = "spillway.traceparent";
  private static final String INVALID_TRACE = "00000000000000000000000000000000";
  private static final int LENGTH = 55;

  /** A request's trace, not made yet: most requests never need it, and making it costs random numbers. */
  private record Deferred(String incoming) {}
  private static final char[] HEX = "0123456789abcdef".toCharArray();

  private TraceContext() {}

  /** The traceparent of this hop: the client's trace with a new span id, or a new trace. */
  public static String continueOrStart(String header) {
    boolean valid = valid(header);
    String trace = valid && !header.regionMatches(3, INVALID_TRACE, 0, 32) ? header.substring(3, 35) : hex(32);
    String flags = valid ? header.substring(53, 55) : "00";
    return "00-" + trace + "-" + hex(16) + "-" + flags;
  }

  /** {@code 00-<32 hex>-<16 hex>-<2 hex>}, lower case, checked without a regex: it runs per request. */
  static boolean valid(String tp) {
    if (tp == null || tp.length() != LENGTH || tp.charAt(0) != '0' || tp.charAt(1) != '0' || tp.charAt(2) != '-'
        || tp.charAt(35) != '-' || tp.charAt(52) != '-') {
      return false;
    }
    for (int i = 3; i < LENGTH; i++) {
      char c = tp.charAt(i);
      if (i != 35 && i != 52 && !((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
        return false;
      }
    }
    return true;
  }

  /**
   * Notes the client's {@code traceparent} (or null) on the current request's context; the trace is made the
   * first time {@link #current} is asked for it.
   */
  public static void defer(String incoming) {
    Context ctx = Vertx.currentContext();
    if (ctx instanceof ContextInternal internal && internal.isDuplicate()) {
      internal.putLocal(KEY, new Deferred(incoming));
    }
  }

  public static String traceId(String traceparent) {
    return traceparent.substring(3, 35);
  }

  /** Keeps {@code traceparent} on the current duplicated context (each request and message has its own). */
  public static void attach(String traceparent) {
    Context ctx = Vertx.currentContext();
    if (traceparent != null && ctx instanceof ContextInternal internal && internal.isDuplicate()
        && valid(traceparent)) {
      internal.putLocal(KEY, traceparent);
    }
  }

  /** The current traceparent: the recording tracer's span when there is one, else what {@link #attach} kept. */
  public static String current() {
    SpanContext span = Span.current().getSpanContext();
    if (span.isValid()) {
      return of(span);
    }
    Context ctx = Vertx.currentContext();
    if (!(ctx instanceof ContextInternal internal) || !internal.isDuplicate()) {
      return null;
    }
    Object local = internal.getLocal(KEY);
    if (local instanceof Deferred deferred) {
      String made = continueOrStart(deferred.incoming());
      internal.putLocal(KEY, made);
      return made;
    }
    return (String) local;
  }

  /** The {@code traceparent} of a (valid) span. */
  static String of(SpanContext span) {
    return "00-" + span.getTraceId() + "-" + span.getSpanId() + "-" + span.getTraceFlags().asHex();
  }

  private static String hex(int chars) {
    ThreadLocalRandom r = ThreadLocalRandom.current();
    char[] out = new char[chars];
    for (int i = 0; i < chars; i++) {
      out[i] = HEX[r.nextInt(16)];
    }
    return new String(out);
  }
}
