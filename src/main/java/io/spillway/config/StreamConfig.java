package io.spillway.config;

/**
 * Real-time push: the Kafka consumer verticle, the outbox relay, channel history and the limits of one
 * WebSocket connection.
 *
 * @param instances            StreamVerticle instances per node ({@code stream.instances}; 0: no push)
 * @param outboxInstances      OutboxVerticle instances per node ({@code outbox.instances}; 0: no relay)
 * @param outboxPollMs         how often the relay looks for rows when no NOTIFY woke it ({@code outbox.pollIntervalMs})
 * @param outboxBatchSize      rows claimed per relay transaction ({@code outbox.batchSize})
 * @param historyMaxEvents     events kept per channel for resume ({@code stream.history.maxEvents})
 * @param historyMaxAgeSeconds a channel's history expires this long after its last event
 *                             ({@code stream.history.maxAgeSeconds})
 * @param maxSubscriptions     channels one connection may subscribe to ({@code stream.maxSubscriptions})
 * @param maxFrameBytes        largest inbound frame or message ({@code stream.maxFrameBytes})
 * @param maxInboundPerSecond  client frames per second before they are refused ({@code stream.maxInboundPerSecond})
 * @param idleTimeoutSeconds   a connection that sent nothing (not even a pong) this long is closed
 *                             ({@code stream.idleTimeoutSeconds})
 * @param pingIntervalSeconds  how often the server pings every connection ({@code stream.pingIntervalSeconds})
 * @param maxOutboundBytes     bytes queued for one connection before it is closed as too slow
 *                             ({@code stream.maxOutboundBytes})
 */
public record StreamConfig(
    int instances,
    int outboxInstances,
    long outboxPollMs,
    int outboxBatchSize,
    int historyMaxEvents,
    long historyMaxAgeSeconds,
    int maxSubscriptions,
    int maxFrameBytes,
    int maxInboundPerSecond,
    int idleTimeoutSeconds,
    int pingIntervalSeconds,
    int maxOutboundBytes) {

  static StreamConfig from(ConfigReader stream, ConfigReader outbox) {
    ConfigReader history = stream.child("history");
    StreamConfig c = new StreamConfig(
        stream.integer("instances", 1, 0, 64),
        outbox.integer("instances", 1, 0, 64),
        outbox.number("pollIntervalMs", 1000, 10, 600_000),
        outbox.integer("batchSize", 500, 1, 10_000),
        history.integer("maxEvents", 1000, 1, 1_000_000),
        history.number("maxAgeSeconds", 86_400, 1, 31L * 86_400),
        stream.integer("maxSubscriptions", 100, 1, 10_000),
        stream.integer("maxFrameBytes", 65_536, 256, 16 << 20),
        stream.integer("maxInboundPerSecond", 50, 1, 100_000),
        stream.integer("idleTimeoutSeconds", 60, 2, 86_400),
        stream.integer("pingIntervalSeconds", 20, 1, 86_400),
        stream.integer("maxOutboundBytes", 1 << 20, 1024, 1 << 30));
    if (c.pingIntervalSeconds >= c.idleTimeoutSeconds) {
      throw new ConfigException(stream.key("pingIntervalSeconds") + ": " + c.pingIntervalSeconds
          + " must be below stream.idleTimeoutSeconds (" + c.idleTimeoutSeconds
          + "), or idle clients that answer pings would be closed");
    }
    return c;
  }
}
