package io.spillway.data;

import io.spillway.events.Channel;
import io.spillway.events.EventType;
import io.spillway.observe.TraceContext;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;

import java.time.Instant;
import java.util.UUID;

/**
 * Writes outbox rows inside the caller's transaction: the event exists if and only if the change committed.
 * Events are CloudEvents-style JSON; the {@link Channel} is the Kafka key, so one channel's events stay in
 * order.
 */
final class OutboxEvents {
  static final String SOURCE = "spillway";
  private final String topic;

  OutboxEvents(String topic) {
    this.topic = topic;
  }

  Future<Void> add(SqlConnection tx, Channel channel, EventType type, String subject, JsonObject data) {
    JsonObject event = envelope(channel, type).put("subject", subject).put("data", data);
    return tx.preparedQuery("INSERT INTO outbox (topic, channel, event) VALUES ($1, $2, $3)")
        .execute(Tuple.of(topic, channel.name(), event))
        .mapEmpty();
  }

  /** The event without {@code subject} and {@code data}, for statements that add those in SQL. */
  JsonObject envelope(Channel channel, EventType type) {
    JsonObject event = new JsonObject()
        .put("specversion", "1.0")
        .put("id", UUID.randomUUID().toString())
        .put("type", type.type())
        .put("source", SOURCE)
        .put("time", Instant.now().toString())
        .put("datacontenttype", "application/json")
        .put("channel", channel.name());
    // CloudEvents distributed-tracing extension: the trace of the write continues to the push.
    String traceparent = TraceContext.current();
    if (traceparent != null) {
      event.put("traceparent", traceparent);
    }
    return event;
  }

  String topic() {
    return topic;
  }
}
