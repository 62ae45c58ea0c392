package io.spillway.bench;

import io.vertx.core.buffer.Buffer;

import java.nio.charset.StandardCharsets;

/**
 * Which server frame a WebSocket bench client read, told from its first bytes: decoding every frame into a
 * String would cost a client that shares the machine with the server more than the server spends sending it.
 */
final class WsOps {
  private static final byte[] EVENT = "{\"op\":\"event\"".getBytes(StandardCharsets.UTF_8);
  private static final byte[] SUBSCRIBED = "{\"op\":\"subscribed\"".getBytes(StandardCharsets.UTF_8);

  private WsOps() {}

  static boolean isEvent(Buffer frame) {
    return startsWith(frame, EVENT);
  }

  static boolean isSubscribed(Buffer frame) {
    return startsWith(frame, SUBSCRIBED);
  }

  private static boolean startsWith(Buffer b, byte[] prefix) {
    if (b.length() < prefix.length) {
      return false;
    }
    for (int i = 0; i < prefix.length; i++) {
      if (b.getByte(i) != prefix[i]) {
        return false;
      }
    }
    return true;
  }
}
