package io.spillway.events;

import io.vertx.core.json.JsonObject;

/**
 * A committed event as each node sees it when it arrives from Kafka, published once per node on the local
 * event bus ({@link #ADDRESS}) before it is pushed to sockets: whatever a node keeps derived from the data
 * (caches) follows the change from here.
 *
 * @param data the event's {@code data} attribute (ids are decimal strings)
 */
public record CommittedEvent(Channel channel, EventType type, JsonObject data) {
  /** Local-only event-bus address. */
  public static final String ADDRESS = "events.committed";

  /** The id in {@code data.field}, or -1 when it is missing or not an id. */
  public long id(String field) {
    Object v = data == null ? null : data.getValue(field);
    if (v instanceof Number n) {
      return n.longValue();
    }
    if (v instanceof String s) {
      try {
        return Long.parseLong(s);
      } catch (NumberFormatException e) {
        return -1;
      }
    }
    return -1;
  }
}
