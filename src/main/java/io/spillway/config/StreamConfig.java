package io.spillway.config;

/**
 * Real-time push: the Kafka consumer verticle, the outbox relay, channel history and the limits of one
 * WebSocket connection.
 *
 * @param instances            StreamVerticle instances per node ({@code stream.instances}; 0: no push)
 * @param outboxInstances      OutboxVerticle instances per node ({@code outbox.instances}; 0: no relay)
 * @param outboxPollMs         how often a relay looks for rows at the longest, when nothing woke it
 *                             ({@code outbox.pollIntervalMs})
 * @param outboxMinPollMs      how soon a relay that holds its shard looks again after a pass that moved rows;
 *                             each empty pass doubles it, up to {@code outbox.pollIntervalMs}
 *                             ({@code outbox.minPollIntervalMs})
 * @param outboxNotifyMinGapMs a node whose writes land on a shard another node's relay drains notifies that relay
 *                             at most once per this gap ({@code outbox.notifyMinGapMs})
 * @param outboxBatchSize      rows read per relay pass ({@code outbox.batchSize})
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
 * @param ticketTtlSeconds     how long a ticket from {@code POST /v1/stream/ticket} may wait to be spent
 *                             ({@code stream.ticketTtlSeconds})
 * @param maxConnectionsPerUser    sockets one user may hold open on a node ({@code stream.maxConnectionsPerUser})
 * @param maxConnectionsPerAddress sockets one address (IPv6: its /64) may hold open on a node
 *                                 ({@code stream.maxConnectionsPerAddress})
 * @param historyRedisUri      a Redis of its own for channel history ({@code stream.history.redisUri}; empty:
 *                             the node's {@code redis.uri})
 */
public record StreamConfig(
    int instances,
    int outboxInstances,
    long outboxPollMs,
    long outboxMinPollMs,
    long outboxNotifyMinGapMs,
    int outboxBatchSize,
    int historyMaxEvents,
    long historyMaxAgeSeconds,
    int maxSubscriptions,
    int maxFrameBytes,
    int maxInboundPerSecond,
    int idleTimeoutSeconds,
    int pingIntervalSeconds,
    int maxOutboundBytes,
    int ticketTtlSeconds,
    int maxConnectionsPerUser,
    int maxConnectionsPerAddress,
    String historyRedisUri) {

  public StreamConfig {
    Check.range("stream.instances", instances, 0, 64);
    Check.range("outbox.instances", outboxInstances, 0, 64);
    Check.range("outbox.pollIntervalMs", outboxPollMs, 10, 600_000);
    Check.range("outbox.batchSize", outboxBatchSize, 1, 10_000);
    Check.range("outbox.minPollIntervalMs", outboxMinPollMs, 1, outboxPollMs);
    Check.range("outbox.notifyMinGapMs", outboxNotifyMinGapMs, 0, 60_000);
    Check.range("stream.history.maxEvents", historyMaxEvents, 1, 1_000_000);
    Check.range("stream.history.maxAgeSeconds", historyMaxAgeSeconds, 1, 31L * 86_400);
    Check.range("stream.maxSubscriptions", maxSubscriptions, 1, 10_000);
    Check.range("stream.maxFrameBytes", maxFrameBytes, 256, 16 << 20);
    Check.range("stream.maxInboundPerSecond", maxInboundPerSecond, 1, 100_000);
    Check.range("stream.idleTimeoutSeconds", idleTimeoutSeconds, 2, 86_400);
    Check.range("stream.pingIntervalSeconds", pingIntervalSeconds, 1, 86_400);
    Check.range("stream.maxOutboundBytes", maxOutboundBytes, 1024, 1 << 30);
    Check.range("stream.ticketTtlSeconds", ticketTtlSeconds, 1, 600);
    Check.range("stream.maxConnectionsPerUser", maxConnectionsPerUser, 1, 1_000_000);
    Check.range("stream.maxConnectionsPerAddress", maxConnectionsPerAddress, 1, 1_000_000);
    if (historyRedisUri == null || !historyRedisUri.isEmpty() && !historyRedisUri.startsWith("redis://")
        && !historyRedisUri.startsWith("rediss://") && !historyRedisUri.startsWith("unix://")) {
      throw new ConfigException("stream.history.redisUri", "is not a Redis URI; allowed: empty (the node's "
          + "redis.uri), redis://, rediss://, unix://");
    }
    if (pingIntervalSeconds >= idleTimeoutSeconds) {
      throw new ConfigException("stream.pingIntervalSeconds", pingIntervalSeconds
          + " must be below stream.idleTimeoutSeconds (" + idleTimeoutSeconds
          + "), or idle clients that answer pings would be closed");
    }
  }

  static StreamConfig from(ConfigReader stream, ConfigReader outbox) {
    ConfigReader history = stream.child("history");
    return new StreamConfig(
        stream.integer("instances"),
        outbox.integer("instances"),
        outbox.number("pollIntervalMs"),
        outbox.number("minPollIntervalMs"),
        outbox.number("notifyMinGapMs"),
        outbox.integer("batchSize"),
        history.integer("maxEvents"),
        history.number("maxAgeSeconds"),
        stream.integer("maxSubscriptions"),
        stream.integer("maxFrameBytes"),
        stream.integer("maxInboundPerSecond"),
        stream.integer("idleTimeoutSeconds"),
        stream.integer("pingIntervalSeconds"),
        stream.integer("maxOutboundBytes"),
        stream.integer("ticketTtlSeconds"),
        stream.integer("maxConnectionsPerUser"),
        stream.integer("maxConnectionsPerAddress"),
        history.string("redisUri"));
  }

  /** Without the history Redis' credentials: a record's text may end up in a log line. */
  @Override
  public String toString() {
    return "StreamConfig[instances=" + instances + ", outboxInstances=" + outboxInstances + ", historyMaxEvents="
        + historyMaxEvents + ", maxSubscriptions=" + maxSubscriptions + ", maxConnectionsPerUser=" + maxConnectionsPerUser
        + ", maxConnectionsPerAddress=" + maxConnectionsPerAddress + ", historyRedisUri=" + Secrets.redactUri(historyRedisUri)
        + "]";
  }
}
