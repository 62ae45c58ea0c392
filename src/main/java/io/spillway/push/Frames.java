package io.spillway.push;

import io.vertx.core.http.WebSocketFrame;
import io.vertx.core.http.WebSocketFrameType;
import io.vertx.core.http.impl.ws.WebSocketFrameImpl;
import io.vertx.core.json.JsonObject;

/** The server's frames. Offsets travel as strings, like ids: JavaScript numbers cannot hold 64 bits. */
final class Frames {
  static final String PONG = "{\"op\":\"pong\"}";

  private Frames() {}

  /**
   * A text frame over bytes already encoded. The public API only makes text frames from a String, which
   * would encode the same event again for every socket; this wraps the shared array instead.
   */
  static WebSocketFrame text(byte[] utf8) {
    return new WebSocketFrameImpl(WebSocketFrameType.TEXT, utf8, true);
  }

  static String subscribed(String channel, long offset) {
    return new JsonObject().put("op", "subscribed").put("channel", channel).put("offset", Long.toString(offset))
        .encode();
  }

  static String unsubscribed(String channel) {
    return new JsonObject().put("op", "unsubscribed").put("channel", channel).encode();
  }

  static String reset(String channel, long offset) {
    return new JsonObject().put("op", "reset").put("channel", channel).put("offset", Long.toString(offset)).encode();
  }

  static String error(String code, String message) {
    return new JsonObject().put("op", "error").put("code", code).put("message", message).encode();
  }

  static String error(String code, String message, String channel) {
    return new JsonObject().put("op", "error").put("code", code).put("message", message).put("channel", channel)
        .encode();
  }
}
