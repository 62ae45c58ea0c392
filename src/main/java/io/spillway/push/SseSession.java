package io.spillway.push;

import io.spillway.config.StreamConfig;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerResponse;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * One Server-Sent Events connection ({@code GET /v1/stream/sse}): the same events, in the same frames, as a
 * WebSocket session, for clients that cannot open one. The channels are fixed for the connection's life (from
 * {@code channels}); each message's {@code id} is the offset reached on every channel, in that order, so the
 * {@code Last-Event-ID} a client sends when it reconnects resumes every channel from channel history, exactly
 * as a WebSocket {@code subscribe} with {@code since} does. Lives on the event loop of the HttpVerticle that
 * accepted it.
 *
 * <p>Limits are those of a WebSocket connection: at most {@code stream.maxSubscriptions} channels, at most
 * {@code stream.maxOutboundBytes} queued (else the connection is closed), a comment line every {@code
 * stream.pingIntervalSeconds} so proxies and the server's idle timeout keep it open.
 */
final class SseSession implements Subscriber {
  /** No offset known for a channel: it went live from "now" and has seen nothing yet. */
  static final long UNKNOWN = Long.MIN_VALUE;
  private static final Buffer PING = Buffer.buffer(": ping\n\n");
  private static final Buffer RETRY = Buffer.buffer("retry: 1000\n\n");

  private final HttpServerResponse response;
  private final StreamHub hub;
  private final StreamConfig limits;
  private final List<String> channels;
  private final long[] since;
  private final long[] offsets;
  private final Map<String, Integer> index = new HashMap<>();
  private final long expiresAtMs;
  private final Runnable onClose;
  private long expiryTimer = -1;
  private final List<Subscription> subscriptions = new ArrayList<>();
  private boolean closed;

  /**
   * {@code since[i]}: resume channel i after that offset (-1: all history), or {@link #UNKNOWN}: from now on.
   * {@code expiresAtMs}: when the credential stops holding (0: never); the stream ends then, and the client
   * reconnects with a fresh one. {@code onClose} runs once when the stream ends (the connection caps).
   */
  SseSession(HttpServerResponse response, StreamHub hub, List<String> channels, long[] since, long expiresAtMs,
             Runnable onClose) {
    this.expiresAtMs = expiresAtMs;
    this.onClose = onClose;
    this.response = response;
    this.hub = hub;
    this.limits = hub.config();
    this.channels = List.copyOf(channels);
    this.since = since.clone();
    this.offsets = since.clone();
    for (int i = 0; i < channels.size(); i++) {
      index.put(channels.get(i), i);
    }
  }

  void start() {
    response.setChunked(true)
        .setStatusCode(200)
        .putHeader("Content-Type", "text/event-stream; charset=utf-8")
        .putHeader("Cache-Control", "no-store")
        // Compression would hold events back until a deflate block fills; proxies must not buffer either.
        .putHeader("Content-Encoding", "identity")
        .putHeader("X-Accel-Buffering", "no");
    response.setWriteQueueMaxSize(limits.maxOutboundBytes());
    response.closeHandler(v -> leave());
    response.exceptionHandler(err -> leave());
    response.write(RETRY);
    hub.add(this);
    if (expiresAtMs > 0) {
      expiryTimer = hub.vertx().setTimer(Math.max(1, expiresAtMs - System.currentTimeMillis()), t -> {
        expiryTimer = -1;
        // The credential no longer holds: end the stream; EventSource reconnects, and must authenticate again.
        shutdown();
      });
    }
    for (int i = 0; i < channels.size(); i++) {
      subscribe(i);
    }
  }

  /** The server is shutting down: end the stream so the client reconnects (to another node). */
  void shutdown() {
    if (!closed) {
      leave();
      response.end();
    }
  }

  private void subscribe(int i) {
    String channel = channels.get(i);
    Subscription sub = new Subscription(channel, this);
    subscriptions.add(sub);
    hub.follow(sub);
    // Live events for the channel buffer in sub.pending while history is read.
    if (since[i] == UNKNOWN) {
      hub.history().latest(channel).onComplete(ar -> {
        if (!closed) {
          goLive(i, sub, ar.succeeded() ? ar.result() : -1);
        }
      });
      return;
    }
    hub.history().after(channel, since[i]).onComplete(ar -> {
      if (closed) {
        return;
      }
      if (ar.failed()) {
        // History is unreachable: the client cannot be told what it missed, so it must reload.
        offsets[i] = -1;
        send(Frames.reset(channel, -1).getBytes(StandardCharsets.UTF_8));
        goLive(i, sub, -1);
        return;
      }
      ChannelHistory.Replay replay = ar.result();
      if (replay.reset()) {
        offsets[i] = replay.latest();
        send(Frames.reset(channel, replay.latest()).getBytes(StandardCharsets.UTF_8));
      }
      for (ChannelHistory.Entry e : replay.entries()) {
        offsets[i] = e.offset();
        send(StreamEvent.frame(channel, e.offset(), e.event()));
      }
      goLive(i, sub, replay.latest());
    });
  }

  private void goLive(int i, Subscription sub, long offset) {
    sub.lastOffset = offset;
    if (offsets[i] == UNKNOWN || offset > offsets[i]) {
      offsets[i] = offset;
    }
    send(Frames.subscribed(sub.channel, offset).getBytes(StandardCharsets.UTF_8));
    List<StreamEvent> waiting = sub.pending;
    sub.pending = null;
    for (StreamEvent e : waiting) {
      deliver(sub, e);
    }
  }

  @Override
  public void deliver(Subscription sub, StreamEvent event) {
    if (closed) {
      return;
    }
    switch (sub.arrive(event, limits.maxOutboundBytes())) {
      case OVERFLOW -> closeSlow();
      case SEND -> {
        offsets[index.get(sub.channel)] = event.offset();
        send(event.frame());
      }
      default -> { }
    }
  }

  /** One message: the offsets of every channel as its id, then the frame (JSON on one line) as its data. */
  private void send(byte[] frame) {
    if (closed) {
      return;
    }
    if (response.writeQueueFull()) {
      closeSlow();
      return;
    }
    String id = lastEventId();
    response.write(Buffer.buffer(frame.length + id.length() + 16)
        .appendString("id: ").appendString(id).appendString("\ndata: ").appendBytes(frame).appendString("\n\n"));
    hub.metrics().sseSent();
  }

  /** {@code 1240,-1,} for three channels: offsets in {@code channels} order, empty where none is known yet. */
  String lastEventId() {
    StringBuilder id = new StringBuilder(offsets.length * 8);
    for (int i = 0; i < offsets.length; i++) {
      if (i > 0) {
        id.append(',');
      }
      if (offsets[i] != UNKNOWN) {
        id.append(offsets[i]);
      }
    }
    return id.toString();
  }

  /** Called by the hub's sweep: a comment keeps the connection open; a client that stopped reading is closed. */
  void sweep() {
    if (closed) {
      return;
    }
    if (response.writeQueueFull()) {
      closeSlow();
    } else {
      response.write(PING);
    }
  }

  private void closeSlow() {
    hub.metrics().sseSlowConsumerClosed();
    leave();
    response.reset();
  }

  private void leave() {
    if (!closed) {
      closed = true;
      hub.remove(this);
      if (expiryTimer >= 0) {
        hub.vertx().cancelTimer(expiryTimer);
      }
      onClose.run();
    }
  }

  Iterable<Subscription> subscriptions() {
    return subscriptions;
  }
}
