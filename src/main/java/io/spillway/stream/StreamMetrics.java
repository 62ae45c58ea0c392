package io.spillway.stream;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.micrometer.backends.BackendRegistries;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * WebSocket metrics ({@code spillway_ws_*}) when a Micrometer registry is configured; no-ops otherwise, so
 * the push path never depends on metrics being on.
 */
final class StreamMetrics {
  /** One connection gauge per registry, shared by every HttpVerticle instance that registers it. */
  private static final Map<MeterRegistry, AtomicLong> CONNECTIONS = new ConcurrentHashMap<>();

  private final AtomicLong connections;
  private final Counter sent;
  private final Counter slowClosed;
  private final Counter idleClosed;
  private final Counter refused;

  private StreamMetrics(MeterRegistry registry) {
    if (registry == null) {
      connections = new AtomicLong();
      sent = slowClosed = idleClosed = refused = null;
      return;
    }
    connections = CONNECTIONS.computeIfAbsent(registry,
        r -> r.gauge("spillway_ws_connections", new AtomicLong()));
    sent = Counter.builder("spillway_ws_messages_sent").description("event frames written to WebSockets")
        .register(registry);
    slowClosed = Counter.builder("spillway_ws_closed").tag("reason", "slow-consumer")
        .description("WebSockets closed by the server").register(registry);
    idleClosed = Counter.builder("spillway_ws_closed").tag("reason", "idle").register(registry);
    refused = Counter.builder("spillway_ws_frames_refused").description("client frames over the rate limit")
        .register(registry);
  }

  static StreamMetrics create() {
    return new StreamMetrics(BackendRegistries.getDefaultNow());
  }

  void opened() {
    connections.incrementAndGet();
  }

  void closed() {
    connections.decrementAndGet();
  }

  void sent() {
    if (sent != null) {
      sent.increment();
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
}
