package io.spillway.feed;

import io.spillway.data.DataRequest;
import io.spillway.data.Requests;
import io.spillway.events.EventType;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;

import java.time.Instant;
import java.time.format.DateTimeParseException;

/** Which committed events change timelines, and the data request each one becomes. */
final class FanOutEvents {
  /** An event the fan-out acts on: its data request and when it was written (null when unknown). */
  record Event(DataRequest<?> request, Instant time) {}

  private FanOutEvents() {}

  /** The fan-out work of an event, or null when it has none (or is not an event). */
  static Event parse(String json) {
    JsonObject event;
    try {
      event = json == null ? null : new JsonObject(json);
    } catch (DecodeException e) {
      return null;
    }
    if (event == null || !(event.getValue("type") instanceof String type)
        || !(event.getValue("data") instanceof JsonObject data)) {
      return null;
    }
    EventType kind = EventType.of(type);
    if (kind == null) {
      return null;
    }
    DataRequest<?> request = switch (kind) {
      case POST_CREATED, POST_DELETED -> {
        long post = id(data, "postId");
        long author = id(data, "authorId");
        yield post > 0 && author > 0 ? new Requests.FanOutPost(post, author, kind == EventType.POST_DELETED) : null;
      }
      case FOLLOW_CREATED, FOLLOW_DELETED -> {
        long follower = id(data, "followerId");
        long followee = id(data, "followeeId");
        yield follower > 0 && followee > 0
            ? new Requests.FollowChanged(follower, followee, kind == EventType.FOLLOW_CREATED) : null;
      }
      default -> null;
    };
    return request == null ? null : new Event(request, time(event.getValue("time")));
  }

  private static long id(JsonObject data, String field) {
    Object v = data.getValue(field);
    if (v instanceof String s) {
      try {
        return Long.parseLong(s);
      } catch (NumberFormatException e) {
        return -1;
      }
    }
    return v instanceof Number n ? n.longValue() : -1;
  }

  private static Instant time(Object value) {
    try {
      return value instanceof String s ? Instant.parse(s) : null;
    } catch (DateTimeParseException e) {
      return null;
    }
  }
}
