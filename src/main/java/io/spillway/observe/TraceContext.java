package io.spillway.observe;

import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.internal.ContextInternal;

import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Pattern;

/**
 * W3C trace context ({@code traceparent}) carried along a request without recording spans: continued from the
 * client's header (or started), kept on the request's duplicated Vert.x context, sent with every data-layer
 * message and written into outbox events, so the access log, the data layer and the WebSocket push all name
 * the same trace. When the OpenTelemetry tracer is installed (spans are exported), its current span wins.
 */
public final class TraceContext {
  public static final String HEADER = "traceparent";
  private static final String KEY = "spillway.traceparent";
  private static final Pattern VALID = Pattern.compile("00-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}");
  private static final String INVALID_TRACE = "00000000000000000000000000000000";
  private static final char[] HEX = "0123456789abcdef".toCharArray();

  private TraceContext() {}

  /** The traceparent of this hop: the client's trace with a new span id, or a new trace. */
  public static String continueOrStart(String header) {
    String trace = header != null && VALID.matcher(header).matches() && !header.regionMatches(3, INVALID_TRACE, 0, 32)
        ? header.substring(3, 35) : hex(32);
    String flags = header != null && VALID.matcher(header).matches() ? header.substring(53, 55) : "00";
    return "00-" + trace + "-" + hex(16) + "-" + flags;
  }

  public static String traceId(String traceparent) {
    return traceparent.substring(3, 35);
  }

  /** Keeps {@code traceparent} on the current duplicated context (each request and message has its own). */
  public static void attach(String traceparent) {
    Context ctx = Vertx.currentContext();
    if (traceparent != null && ctx instanceof ContextInternal internal && internal.isDuplicate()
        && VALID.matcher(traceparent).matches()) {
      internal.putLocal(KEY, traceparent);
    }
  }

  /** The current traceparent: the recording tracer's span when there is one, else what {@link #attach} kept. */
  public static String current() {
    SpanContext span = Span.current().getSpanContext();
    if (span.isValid()) {
      return "00-" + span.getTraceId() + "-" + span.getSpanId() + "-" + span.getTraceFlags().asHex();
    }
    Context ctx = Vertx.currentContext();
    return ctx instanceof ContextInternal internal && internal.isDuplicate() ? internal.getLocal(KEY) : null;
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
