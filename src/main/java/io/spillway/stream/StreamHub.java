package io.spillway.stream;

import io.spillway.config.StreamConfig;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.redis.client.Redis;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

/**
 * The WebSocket sessions of one HttpVerticle and the channels they follow. Receives every event published
 * by the StreamVerticle on the local event bus and hands it to the sessions of its channel; pings every
 * session each {@code stream.pingIntervalSeconds} and closes the silent ones. Confined to the verticle's
 * event loop.
 */
public final class StreamHub {
  private final StreamConfig config;
  private final ChannelHistory history;
  private final StreamMetrics metrics = StreamMetrics.create();
  private final Set<StreamSession> sessions = new LinkedHashSet<>();
  private final Map<String, Set<StreamSession>> followers = new HashMap<>();
  private final MessageConsumer<StreamEvent> consumer;
  private final long sweepTimer;
  private final Vertx vertx;

  private StreamHub(Vertx vertx, StreamConfig config, Redis redis) {
    this.vertx = vertx;
    this.config = config;
    this.history = new ChannelHistory(redis::send, config.historyMaxEvents(), config.historyMaxAgeSeconds());
    this.consumer = vertx.eventBus().localConsumer(StreamVerticle.EVENTS_ADDRESS, msg -> dispatch(msg.body()));
    this.sweepTimer = vertx.setPeriodic(config.pingIntervalSeconds() * 1000L, t -> sweep());
  }

  /** Starts a hub on the calling verticle's context; {@code redis} is used for history reads. */
  public static StreamHub start(Vertx vertx, StreamConfig config, Redis redis) {
    return new StreamHub(vertx, config, redis);
  }

  private void dispatch(StreamEvent event) {
    Set<StreamSession> set = followers.get(event.channel());
    if (set == null) {
      return;
    }
    // A session may close (and leave the set) while being written to.
    for (StreamSession s : set.size() == 1 ? set : new ArrayList<>(set)) {
      s.deliver(event);
    }
  }

  private void sweep() {
    long now = System.nanoTime();
    for (StreamSession s : new ArrayList<>(sessions)) {
      s.sweep(now);
    }
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
    for (String channel : session.channels()) {
      unfollow(channel, session);
    }
  }

  void follow(String channel, StreamSession session) {
    followers.computeIfAbsent(channel, c -> new LinkedHashSet<>()).add(session);
  }

  void unfollow(String channel, StreamSession session) {
    Set<StreamSession> set = followers.get(channel);
    if (set != null && set.remove(session) && set.isEmpty()) {
      followers.remove(channel);
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

  public Future<Void> close() {
    vertx.cancelTimer(sweepTimer);
    return consumer.unregister();
  }
}
