package io.spillway.push;

import io.opentelemetry.api.trace.SpanContext;
import io.vertx.core.json.Json;

import java.nio.charset.StandardCharsets;

/**
 * One event as it travels from the StreamVerticle to the HttpVerticles over the local event bus: the frame
 * bytes are built once per event, and every socket that gets the event is written from the same array.
 * {@code trace} is the span that consumed it (invalid when spans are not exported).
 */
record StreamEvent(String channel, long offset, String eventId, byte[] frame, SpanContext trace) {
  static StreamEvent of(String channel, long offset, String eventId, String eventJson, SpanContext trace) {
    return new StreamEvent(channel, offset, eventId, frame(channel, offset, eventJson), trace);
  }

  /** {@code {"op":"event","channel":...,"offset":"...","event":{...}}}; the event JSON is embedded as Kafka had it. */
  static byte[] frame(String channel, long offset, String eventJson) {
    return ("{\"op\":\"event\",\"channel\":" + Json.encode(channel) + ",\"offset\":\"" + offset
        + "\",\"event\":" + eventJson + "}").getBytes(StandardCharsets.UTF_8);
  }
}
