package io.spillway.push;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;

import java.util.Collections;
import java.util.Map;
import java.util.WeakHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * WebSocket metrics ({@code spillway_ws_*}) when a Micrometer registry is configured; no-ops otherwise, so
 * the push path never depends on metrics being on.
 */
final class StreamMetrics {
  /** One connection and one subscription gauge per registry, shared by every HttpVerticle instance. */
  private static final Map<MeterRegistry, AtomicLong[]> GAUGES = Collections.synchronizedMap(new WeakHashMap<>());
  private static final Map<MeterRegistry, AtomicLong> SSE_GAUGES = Collections.synchronizedMap(new WeakHashMap<>());

  private final AtomicLong connections;
  private final AtomicLong subscriptions;
  private final Counter sent;
  private final Counter slowClosed;
  private final Counter idleClosed;
  private final Counter refused;
  private final AtomicLong eventStreams;
  private final Counter sseSent;
  private final Counter sseSlowClosed;

  private StreamMetrics(MeterRegistry registry) {
    if (registry == null) {
      connections = new AtomicLong();
      subscriptions = new AtomicLong();
      sent = slowClosed = idleClosed = refused = sseSent = sseSlowClosed = null;
      eventStreams = new AtomicLong();
      return;
    }
    AtomicLong[] gauges = GAUGES.computeIfAbsent(registry, r -> new AtomicLong[] {
        r.gauge("spillway_ws_connections", new AtomicLong()), r.gauge("spillway_ws_subscriptions", new AtomicLong())});
    connections = gauges[0];
    subscriptions = gauges[1];
    sent = Counter.builder("spillway_ws_messages_sent").description("event frames written to WebSockets")
        .register(registry);
    slowClosed = Counter.builder("spillway_ws_closed").tag("reason", "slow-consumer")
        .description("WebSockets closed by the server").register(registry);
    idleClosed = Counter.builder("spillway_ws_closed").tag("reason", "idle").register(registry);
    refused = Counter.builder("spillway_ws_frames_refused").description("client frames over the rate limit")
        .register(registry);
    eventStreams = SSE_GAUGES.computeIfAbsent(registry, r -> r.gauge("spillway_sse_connections", new AtomicLong()));
    sseSent = Counter.builder("spillway_sse_messages_sent").description("event messages written to event streams")
        .register(registry);
    sseSlowClosed = Counter.builder("spillway_sse_closed").tag("reason", "slow-consumer")
        .description("event streams closed by the server").register(registry);
  }

  static StreamMetrics of(MeterRegistry registry) {
    return new StreamMetrics(registry);
  }

  void subscribed() {
    subscriptions.incrementAndGet();
  }

  void unsubscribed() {
    subscriptions.decrementAndGet();
  }

  void opened() {
    connections.incrementAndGet();
  }

  void closed() {
    connections.decrementAndGet();
  }

  void sent() {
    sent(1);
  }

  /** {@code n} event frames handed to sockets (a hub counts one dispatch's at once). */
  void sent(long n) {
    if (sent != null && n > 0) {
      sent.increment(n);
    }
  }

  void slowConsumerClosed() {
    if (slowClosed != null) {
      slowClosed.increment();
    }
  }

  void idleClosed() {
    if (idleClosed != null) {
      idleClosed.increment();
    }
  }

  void refused() {
    if (refused != null) {
      refused.increment();
    }
  }

  void sseOpened() {
    eventStreams.incrementAndGet();
  }

  void sseClosed() {
    eventStreams.decrementAndGet();
  }

  void sseSent() {
    if (sseSent != null) {
      sseSent.increment();
    }
  }

  void sseSlowConsumerClosed() {
    if (sseSlowClosed != null) {
      sseSlowClosed.increment();
    }
  }
}
