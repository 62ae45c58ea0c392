package io.spillway.observe;

import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.TraceFlags;
import io.opentelemetry.api.trace.TraceState;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import io.vertx.core.json.JsonObject;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;

import java.nio.charset.StandardCharsets;

/**
 * The spans of an event's way from the outbox to the sockets, recorded only when spans are exported: the
 * relay's publish (PRODUCER), each consumer's handling (CONSUMER) and each hub's push to its sessions
 * (INTERNAL). The trace travels in the Kafka record's {@code traceparent} header. Without an exporter every
 * method answers the invalid span (a shared constant) after one null check, so an event costs nothing more.
 */
public final class EventSpans {
  /** Spans are not exported: nothing is recorded. */
  public static final EventSpans OFF = new EventSpans(null);
  private static final String DELIVERIES = "spillway.push.deliveries";

  private final Tracer tracer;

  EventSpans(Tracer tracer) {
    this.tracer = tracer;
  }

  /** The relay publishing one event to {@code topic}, in the trace of the write ({@code eventTraceparent}). */
  public Span publishing(String topic, String channel, String eventTraceparent) {
    if (tracer == null) {
      return Span.getInvalid();
    }
    return tracer.spanBuilder("outbox publish " + topic).setSpanKind(SpanKind.PRODUCER)
        .setParent(parent(remote(eventTraceparent)))
        .setAttribute("messaging.system", "kafka")
        .setAttribute("messaging.destination.name", topic)
        .setAttribute("messaging.kafka.message.key", channel)
        .startSpan();
  }

  /**
   * The {@code traceparent} header of the record {@code publishing} sends: the producer span's, so consumers
   * continue from it; the write's own when no span is recorded.
   */
  public static String header(Span publishing, String eventTraceparent) {
    SpanContext span = publishing.getSpanContext();
    return span.isValid() ? TraceContext.of(span) : eventTraceparent;
  }

  /** Ends a relay span when Kafka answered: an error when it refused the record. */
  public static void published(Span publishing, Throwable failure) {
    if (failure != null) {
      publishing.setStatus(StatusCode.ERROR, String.valueOf(failure));
    }
    publishing.end();
  }

  /**
   * A consumer ({@code name}, e.g. "stream consume") handling one record of {@code topic}, continuing the
   * trace of its {@code traceparent} header, or of the event's own field ({@code event}, may be null) for a
   * record published without one.
   */
  public Span consuming(String name, String topic, Headers headers, JsonObject event) {
    if (tracer == null) {
      return Span.getInvalid();
    }
    Header header = headers.lastHeader(TraceContext.HEADER);
    String traceparent = header != null ? new String(header.value(), StandardCharsets.US_ASCII)
        : event != null && event.getValue(TraceContext.HEADER) instanceof String field ? field : null;
    return tracer.spanBuilder(name + " " + topic).setSpanKind(SpanKind.CONSUMER)
        .setParent(parent(remote(traceparent)))
        .setAttribute("messaging.system", "kafka")
        .setAttribute("messaging.destination.name", topic)
        .startSpan();
  }

  /**
   * One hub handing one event of {@code channel} to the {@code deliveries} subscriptions that follow it here,
   * under the consumer span that handled the event ({@code consumed}).
   */
  public Span pushing(SpanContext consumed, String channel, int deliveries) {
    if (tracer == null || !consumed.isValid()) {
      return Span.getInvalid();
    }
    return tracer.spanBuilder("push deliver").setSpanKind(SpanKind.INTERNAL).setParent(parent(consumed))
        .setAttribute("spillway.channel", channel)
        .setAttribute(DELIVERIES, deliveries)
        .startSpan();
  }

  /** A span under {@code span}, or a new trace when it is invalid (an event written without a trace). */
  private static Context parent(SpanContext span) {
    return span.isValid() ? Context.root().with(Span.wrap(span)) : Context.root();
  }

  private static SpanContext remote(String traceparent) {
    if (!TraceContext.valid(traceparent)) {
      return SpanContext.getInvalid();
    }
    return SpanContext.createFromRemoteParent(traceparent.substring(3, 35), traceparent.substring(36, 52),
        TraceFlags.fromHex(traceparent, 53), TraceState.getDefault());
  }
}
