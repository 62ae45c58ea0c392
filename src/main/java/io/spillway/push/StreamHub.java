package io.spillway.push;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.opentelemetry.api.trace.Span;
import io.spillway.config.StreamConfig;
import io.spillway.observe.EventSpans;
import io.vertx.core.Future;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.internal.ContextInternal;
import io.vertx.redis.client.Redis;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.Map;
import java.util.Set;

/**
 * The WebSocket sessions of one HttpVerticle and the channels they follow. Receives every event published
 * by the StreamVerticle on the local event bus and hands it to the sessions of its channel; pings every
 * session each {@code stream.pingIntervalSeconds} and closes the silent ones. Confined to the verticle's
 * event loop.
 */
public final class StreamHub {
  private static final Logger LOG = LoggerFactory.getLogger(StreamHub.class);
  private final StreamConfig config;
  private final ChannelHistory history;
  private final StreamMetrics metrics;
  private final EventSpans spans;
  private final Set<StreamSession> sessions = new LinkedHashSet<>();
  private final Set<SseSession> eventStreams = new LinkedHashSet<>();
  private final Map<String, ChannelFollowers> followers = new HashMap<>();
  private final List<Subscription> leaving = new ArrayList<>();
  private boolean dispatching;
  /** The event being dispatched, encoded once for every socket of this hub (see {@link FrameSink}). */
  private ByteBuf encoding;
  /** Frames of the event being dispatched handed to sockets: counted once per dispatch. */
  private long queued;
  /** Sockets written since the end of the last event-loop turn, flushed together. */
  private final List<StreamSession> unflushed = new ArrayList<>();
  private final Runnable flushTask = this::flushWritten;
  private final ContextInternal context;
  private final MessageConsumer<StreamEvent> consumer;
  private final long sweepTimer;
  private final Vertx vertx;

  private StreamHub(Vertx vertx, StreamConfig config, Redis redis, long redisTimeoutMs, MeterRegistry registry,
                    EventSpans spans) {
    this.vertx = vertx;
    this.context = (ContextInternal) vertx.getOrCreateContext();
    this.metrics = StreamMetrics.of(registry);
    this.spans = spans;
    this.config = config;
    // A history read that Redis does not answer in time fails (the client gets a reset and reconnects)
    // instead of holding the session's resume for good.
    this.history = new ChannelHistory(request -> redis.send(request).timeout(redisTimeoutMs, TimeUnit.MILLISECONDS),
        config.historyMaxEvents(), config.historyMaxAgeSeconds());
    this.consumer = vertx.eventBus().localConsumer(StreamVerticle.EVENTS_ADDRESS, msg -> dispatch(msg.body()));
    this.sweepTimer = vertx.setPeriodic(config.pingIntervalSeconds() * 1000L, t -> sweep());
  }

  /**
   * Starts a hub on the calling verticle's context; {@code redis} is used for history reads, each bounded by
   * {@code redisTimeoutMs}. Each event handed to this hub's sessions is one span in {@code spans}.
   */
  public static StreamHub start(Vertx vertx, StreamConfig config, Redis redis, long redisTimeoutMs,
                                MeterRegistry registry, EventSpans spans) {
    return new StreamHub(vertx, config, redis, redisTimeoutMs, registry, spans);
  }

  private void dispatch(StreamEvent event) {
    ChannelFollowers subs = followers.get(event.channel());
    if (subs == null) {
      return;
    }
    Span span = spans.pushing(event.trace(), event.channel(), subs.size());
    // A session that closes during the walk (slow consumer) leaves afterwards, so the array stays put.
    dispatching = true;
    try {
      for (int i = 0; i < subs.size(); i++) {
        Subscription sub = subs.get(i);
        try {
          sub.session.deliver(sub, event);
        } catch (RuntimeException e) {
          // One broken connection must not cost the channel's other subscribers this event.
          LOG.warn("delivering an event of {} to a WebSocket failed: {}", event.channel(), e.toString());
        }
      }
    } finally {
      metrics.sent(queued);
      queued = 0;
      if (encoding != null) {
        encoding.release();
        encoding = null;
      }
      dispatching = false;
      if (!leaving.isEmpty()) {
        List<Subscription> now = new ArrayList<>(leaving);
        leaving.clear();
        now.forEach(this::unfollow);
      }
      span.end();
    }
  }

  /** {@code event} (the one being dispatched) as a WebSocket frame, encoded on first use. */
  ByteBuf encoded(StreamEvent event) {
    if (!dispatching) {
      throw new IllegalStateException("an event is encoded for the sockets only while it is dispatched");
    }
    if (encoding == null) {
      encoding = FrameSink.encode(ByteBufAllocator.DEFAULT, event.frame());
    }
    return encoding;
  }

  /** One frame of the event being dispatched went to a socket. */
  void queued() {
    queued++;
  }

  /**
   * {@code session} was written without a flush: it is flushed once after the events that are already queued
   * on this event loop (a burst of them leaves in one system call per socket).
   */
  void toFlush(StreamSession session) {
    if (unflushed.isEmpty()) {
      context.nettyEventLoop().execute(flushTask);
    }
    unflushed.add(session);
  }

  private void flushWritten() {
    for (int i = 0; i < unflushed.size(); i++) {
      unflushed.get(i).flush();
    }
    unflushed.clear();
  }

  /**
   * Pings every session and closes the idle ones. One session's failure (a socket that closed under the
   * sweep: when thousands close at once their close handlers run after it) is that session's alone: the
   * others still get their ping and idle check.
   */
  private void sweep() {
    long now = System.nanoTime();
    for (StreamSession s : new ArrayList<>(sessions)) {
      try {
        s.sweep(now);
      } catch (RuntimeException e) {
        s.closedUnderUs();
      }
    }
    for (SseSession s : new ArrayList<>(eventStreams)) {
      s.sweep();
    }
  }

  /** Sessions this hub holds now. */
  int sessionCount() {
    return sessions.size();
  }

  void add(StreamSession session) {
    if (sessions.add(session)) {
      metrics.opened();
    }
  }

  void remove(StreamSession session) {
    if (!sessions.remove(session)) {
      return;
    }
    metrics.closed();
    for (Subscription sub : session.subscriptions()) {
      unfollow(sub);
    }
  }

  void add(SseSession session) {
    if (eventStreams.add(session)) {
      metrics.sseOpened();
    }
  }

  void remove(SseSession session) {
    if (!eventStreams.remove(session)) {
      return;
    }
    metrics.sseClosed();
    for (Subscription sub : session.subscriptions()) {
      unfollow(sub);
    }
  }

  void follow(Subscription sub) {
    followers.computeIfAbsent(sub.channel, c -> new ChannelFollowers()).add(sub);
    metrics.subscribed();
  }

  void unfollow(Subscription sub) {
    if (dispatching) {
      leaving.add(sub);
      return;
    }
    ChannelFollowers subs = followers.get(sub.channel);
    if (subs != null) {
      if (subs.remove(sub)) {
        metrics.unsubscribed();
      }
      if (subs.isEmpty()) {
        followers.remove(sub.channel);
      }
    }
  }

  ChannelHistory history() {
    return history;
  }

  StreamMetrics metrics() {
    return metrics;
  }

  StreamConfig config() {
    return config;
  }

  Vertx vertx() {
    return vertx;
  }

  public Future<Void> close() {
    vertx.cancelTimer(sweepTimer);
    return consumer.unregister();
  }
}
