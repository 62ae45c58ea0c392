package io.spillway.push;

import java.util.ArrayList;
import java.util.List;

/**
 * One session following one channel. While the channel's history is read, live events wait in {@code
 * pending}; afterwards events at or below {@code lastOffset} (already sent) are dropped, so the seam between
 * replay and live has neither gap nor duplicate. {@code slot} is its place in the channel's follower array,
 * for removal in constant time. The session is a WebSocket's ({@link StreamSession}) or an event stream's
 * ({@link SseSession}).
 */
final class Subscription {
  final String channel;
  final Subscriber session;
  long lastOffset = -1;
  List<StreamEvent> pending = new ArrayList<>();
  /** Bytes waiting in {@code pending}: they count against the connection's outbound limit. */
  long pendingBytes;
  int slot = -1;

  Subscription(String channel, Subscriber session) {
    this.channel = channel;
    this.session = session;
  }

  /** What a session does with a live event of this subscription (see {@link #arrive}). */
  enum Arrival {
    /** Held until the history has been read. */
    HELD,
    /** Held, but what waits is over the connection's outbound limit: the session is too slow. */
    OVERFLOW,
    /** Already sent (from history): dropped. */
    SEEN,
    /** To be sent now. */
    SEND
  }

  /**
   * A live event for this subscription: held while history is read (waiting bytes count against {@code
   * maxPendingBytes}, as the socket's queue does), dropped when already sent, else to be sent.
   */
  Arrival arrive(StreamEvent event, long maxPendingBytes) {
    if (pending != null) {
      pendingBytes += event.frame().length;
      if (pendingBytes > maxPendingBytes) {
        return Arrival.OVERFLOW;
      }
      pending.add(event);
      return Arrival.HELD;
    }
    if (event.offset() <= lastOffset) {
      return Arrival.SEEN;
    }
    lastOffset = event.offset();
    return Arrival.SEND;
  }
}
