package io.spillway.push;

import io.spillway.config.StreamConfig;
import io.spillway.events.Channel;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * One WebSocket connection: its subscriptions, its limits, and the ordering of what it is sent. Lives on the
 * event loop of the HttpVerticle that accepted it, so nothing here is shared between threads.
 */
final class StreamSession implements Subscriber {
  /** The client stopped reading and its outbound buffer is full. */
  static final short CLOSE_SLOW_CONSUMER = 4008;
  /** Nothing came from the client (not even a pong) for {@code stream.idleTimeoutSeconds}. */
  static final short CLOSE_IDLE = 4001;
  /** The credential the socket was opened with expired and no fresh token came: connect again, authenticated. */
  static final short CLOSE_TOKEN_EXPIRED = 4401;

  /** Checks a fresh token sent over the socket for {@code userId}: its new expiry (epoch ms), or a failure. */
  interface Reauthenticator {
    Future<Long> check(long userId, String token);
  }

  private static final Buffer PING = Buffer.buffer("spillway");

  private final ServerWebSocket ws;
  private final FrameSink sink;
  private final long userId;
  private final StreamHub hub;
  private final StreamConfig limits;
  private final Reauthenticator reauthenticator;
  private final Runnable released;
  /** When the socket's credential stops holding (epoch ms); 0: never (an API key's ticket). */
  private long expiresAtMs;
  private long expiryTimer = -1;
  private final Map<String, Subscription> subscriptions = new HashMap<>();
  private long lastHeardNanos = System.nanoTime();
  private long windowStartNanos = lastHeardNanos;
  private int framesInWindow;
  private boolean closed;
  /** Written since the hub last flushed this socket. */
  private boolean unflushed;

  StreamSession(ServerWebSocket ws, FrameSink sink, long userId, long expiresAtMs, StreamHub hub, StreamConfig limits,
                Reauthenticator reauthenticator, Runnable released) {
    this.ws = ws;
    this.sink = sink;
    this.userId = userId;
    this.expiresAtMs = expiresAtMs;
    this.hub = hub;
    this.limits = limits;
    this.reauthenticator = reauthenticator;
    this.released = released;
  }

  void start() {
    ws.setWriteQueueMaxSize(limits.maxOutboundBytes());
    ws.textMessageHandler(this::onText);
    ws.binaryMessageHandler(b -> {
      heard();
      send(Frames.error("bad-frame", "frames must be JSON text"));
    });
    ws.pongHandler(b -> heard());
    ws.closeHandler(v -> {
      closed = true;
      hub.remove(this);
      cancelExpiry();
      released.run();
    });
    scheduleExpiry();
    // On a graceful stop, tell the client the server is going away (1001) so it reconnects elsewhere.
    ws.shutdownHandler(v -> close((short) 1001, "server shutting down"));
    hub.add(this);
  }

  private void onText(String text) {
    heard();
    if (overRate()) {
      hub.metrics().refused();
      send(Frames.error("rate-limited", "more than " + limits.maxInboundPerSecond() + " frames per second"));
      return;
    }
    JsonObject frame;
    try {
      frame = new JsonObject(text);
    } catch (DecodeException e) {
      send(Frames.error("bad-frame", "frames must be JSON objects"));
      return;
    }
    Object op = frame.getValue("op");
    if ("ping".equals(op)) {
      send(Frames.PONG);
    } else if ("subscribe".equals(op)) {
      subscribe(frame);
    } else if ("unsubscribe".equals(op)) {
      unsubscribe(frame);
    } else if ("auth".equals(op)) {
      reauthenticate(frame.getValue("token"));
    } else {
      send(Frames.error("unknown-op", "unsupported op '" + op + "'; use subscribe, unsubscribe, auth or ping"));
    }
  }

  /**
   * {@code {"op":"auth","token":"<jwt>"}}: a fresh token of the same user moves the socket's expiry to the new
   * token's. A bad one changes nothing (an {@code error} frame says why); the socket still closes at the old
   * expiry.
   */
  private void reauthenticate(Object token) {
    reauthenticator.check(userId, token instanceof String t ? t : null).onComplete(ar -> {
      if (closed) {
        return;
      }
      if (ar.failed()) {
        send(Frames.error("unauthorized", String.valueOf(ar.cause().getMessage())));
        return;
      }
      expiresAtMs = ar.result();
      cancelExpiry();
      scheduleExpiry();
      send(new JsonObject().put("op", "authenticated").put("expiresAt", Instant.ofEpochMilli(expiresAtMs).toString()).encode());
    });
  }

  private void scheduleExpiry() {
    if (expiresAtMs > 0 && !closed) {
      long delay = Math.max(1, expiresAtMs - System.currentTimeMillis());
      expiryTimer = hub.vertx().setTimer(delay, t -> {
        expiryTimer = -1;
        close(CLOSE_TOKEN_EXPIRED, "the token expired: send a fresh one ({\"op\":\"auth\"}) before it does, or reconnect");
      });
    }
  }

  private void cancelExpiry() {
    if (expiryTimer >= 0) {
      hub.vertx().cancelTimer(expiryTimer);
      expiryTimer = -1;
    }
  }

  private boolean overRate() {
    long now = System.nanoTime();
    if (now - windowStartNanos >= 1_000_000_000L) {
      windowStartNanos = now;
      framesInWindow = 0;
    }
    return ++framesInWindow > limits.maxInboundPerSecond();
  }

  private void subscribe(JsonObject frame) {
    Object rawChannel = frame.getValue("channel");
    String channel = rawChannel instanceof String s ? s : null;
    String refusal = refusal(channel);
    if (refusal != null) {
      send(Frames.error(refusal.equals(FORBIDDEN) ? "forbidden" : "bad-channel",
          refusal.equals(FORBIDDEN) ? channel + " is private to that user" : refusal, channel));
      return;
    }
    if (subscriptions.containsKey(channel)) {
      send(Frames.error("already-subscribed", "already subscribed to " + channel, channel));
      return;
    }
    if (subscriptions.size() >= limits.maxSubscriptions()) {
      send(Frames.error("too-many-subscriptions", "at most " + limits.maxSubscriptions()
          + " subscriptions per connection", channel));
      return;
    }
    Long since = since(frame.getValue("since"));
    if (since == null) {
      send(Frames.error("bad-offset", "since must be an offset from an event or subscribed frame", channel));
      return;
    }
    Subscription sub = new Subscription(channel, this);
    subscriptions.put(channel, sub);
    hub.follow(sub);
    // Live events for the channel now buffer in sub.pending while history is read.
    if (since == Long.MIN_VALUE) {
      hub.history().latest(channel).onComplete(ar -> {
        if (isCurrent(channel, sub)) {
          goLive(channel, sub, ar.succeeded() ? ar.result() : -1);
        }
      });
    } else {
      hub.history().after(channel, since).onComplete(ar -> {
        if (!isCurrent(channel, sub)) {
          return;
        }
        if (ar.failed()) {
          // History is unreachable: the client cannot be told what it missed, so it must reload.
          send(Frames.reset(channel, -1));
          goLive(channel, sub, -1);
          return;
        }
        ChannelHistory.Replay replay = ar.result();
        if (replay.reset()) {
          send(Frames.reset(channel, replay.latest()));
        }
        for (ChannelHistory.Entry e : replay.entries()) {
          writeEvent(StreamEvent.frame(channel, e.offset(), e.event()));
        }
        goLive(channel, sub, replay.latest());
      });
    }
  }

  private static final String FORBIDDEN = "forbidden";

  /** Null when this session may follow {@code name}; else {@link #FORBIDDEN} or why the name is refused. */
  private String refusal(String name) {
    if (name == null) {
      return "channel is required";
    }
    Channel channel = Channel.parse(name);
    if (channel == null) {
      return "unknown channel '" + (name.length() <= 64 ? name : name.substring(0, 64) + "...")
          + "'; channels are posts:{userId}, post:{postId} and user:{yourId}";
    }
    return channel.readableBy(userId) ? null : FORBIDDEN;
  }

  /** Long.MIN_VALUE when absent (live only), null when malformed; -1 means "everything in history". */
  private static Long since(Object raw) {
    if (raw == null) {
      return Long.MIN_VALUE;
    }
    try {
      long n = raw instanceof Number num ? num.longValue() : Long.parseLong(String.valueOf(raw));
      return n >= -1 ? n : null;
    } catch (NumberFormatException e) {
      return null;
    }
  }

  private boolean isCurrent(String channel, Subscription sub) {
    return !closed && subscriptions.get(channel) == sub;
  }

  private void goLive(String channel, Subscription sub, long offset) {
    sub.lastOffset = offset;
    send(Frames.subscribed(channel, offset));
    List<StreamEvent> waiting = sub.pending;
    sub.pending = null;
    // Not through deliver: these are written now, one by one, outside the hub's dispatch of one event.
    for (StreamEvent e : waiting) {
      if (sub.arrive(e, limits.maxOutboundBytes()) == Subscription.Arrival.SEND) {
        writeEvent(e.frame());
      }
    }
  }

  private void unsubscribe(JsonObject frame) {
    Object channel = frame.getValue("channel");
    Subscription sub = channel instanceof String c ? subscriptions.remove(c) : null;
    if (sub == null) {
      send(Frames.error("not-subscribed", "not subscribed to " + channel));
      return;
    }
    hub.unfollow(sub);
    String c = sub.channel;
    send(Frames.unsubscribed(c));
  }

  /**
   * Called by the hub for every event of a channel this session follows: the frame the hub encoded once for
   * all its sockets is written, and flushed by the hub at the end of the event-loop turn.
   */
  @Override
  public void deliver(Subscription sub, StreamEvent event) {
    if (closed) {
      return;
    }
    switch (sub.arrive(event, limits.maxOutboundBytes())) {
      case OVERFLOW -> closeSlow();
      case SEND -> {
        if (writable() && sink.queue(hub.encoded(event), event.frame())) {
          hub.queued();
          if (!unflushed) {
            unflushed = true;
            hub.toFlush(this);
          }
        }
      }
      default -> { }
    }
  }

  /** Sends what {@link #deliver} wrote since the last flush. */
  void flush() {
    unflushed = false;
    sink.flush();
  }

  /** An event frame: counted in {@code spillway_ws_messages_sent} (answers and errors are not). */
  private void writeEvent(byte[] frame) {
    if (write(frame)) {
      hub.metrics().sent();
    }
  }

  /** True when the frame was handed to the socket. */
  private boolean write(byte[] frame) {
    if (!writable()) {
      return false;
    }
    sink.send(frame);
    return true;
  }

  /** True when a frame may be written now; closes a session whose client stopped reading. */
  private boolean writable() {
    // The client's close can reach the socket before our close handler runs: the socket then refuses writes
    // (it would throw out of the hub's dispatch, and the channel's later subscribers would miss the event).
    if (closed || !sink.open()) {
      return false;
    }
    if (sink.full() && unflushed) {
      // What this turn queued counts against the limit too: send it before judging the client.
      flush();
    }
    if (sink.full()) {
      closeSlow();
      return false;
    }
    return true;
  }

  private void send(String frame) {
    write(frame.getBytes(StandardCharsets.UTF_8));
  }

  private void closeSlow() {
    hub.metrics().slowConsumerClosed();
    close(CLOSE_SLOW_CONSUMER, "slow consumer: more than " + limits.maxOutboundBytes() + " bytes waiting to be sent");
  }

  private void heard() {
    lastHeardNanos = System.nanoTime();
  }

  /** Called by the hub's sweep: pings a live client, closes one that has been silent too long. */
  void sweep(long nowNanos) {
    if (closed || !sink.open()) {
      return;
    }
    if (nowNanos - lastHeardNanos > limits.idleTimeoutSeconds() * 1_000_000_000L) {
      hub.metrics().idleClosed();
      close(CLOSE_IDLE, "idle timeout: nothing received for " + limits.idleTimeoutSeconds() + " s");
    } else if (!sink.full()) {
      ws.writePing(PING);
    }
  }

  /** The socket closed before its close handler ran: leave the hub now. */
  void closedUnderUs() {
    if (!closed) {
      closed = true;
      hub.remove(this);
    }
  }

  private void close(short code, String reason) {
    if (closed) {
      return;
    }
    closed = true;
    hub.remove(this);
    cancelExpiry();
    ws.close(code, reason);
  }

  Iterable<Subscription> subscriptions() {
    return subscriptions.values();
  }
}
