package io.spillway.bench;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.http.WebSocketFrame;
import io.vertx.core.http.WebSocketFrameType;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * Holds many idle WebSockets open against one node: opens {@code ws.connections} sockets from the local address
 * {@code ws.localAddress} (one source address gives about 28,000 ephemeral ports towards one server port, so
 * {@code bench/ws-conns.sh} runs one of these per 127.0.0.x), subscribes each to {@code ws.channel}, then keeps
 * them until the process is stopped, printing a {@code status} line every two seconds: sockets open, subscribed,
 * event frames received, server pings seen (each answered with a pong by Vert.x), sockets the server closed.
 */
public final class WsHold {
  private final String host = System.getProperty("ws.host", "127.0.0.1");
  private final int port = Integer.getInteger("ws.port", 8080);
  private final String localAddress = System.getProperty("ws.localAddress", "127.0.0.1");
  private final int connections = Integer.getInteger("ws.connections", 25_000);
  private final int batch = Integer.getInteger("ws.batch", 500);
  private final String token = System.getProperty("ws.token");
  private final String channel = System.getProperty("ws.channel");

  private final Vertx vertx = Vertx.vertx();
  private final LongAdder open = new LongAdder();
  private final LongAdder subscribed = new LongAdder();
  private final LongAdder events = new LongAdder();
  private final LongAdder pings = new LongAdder();
  private final LongAdder closed = new LongAdder();
  private final LongAdder failed = new LongAdder();
  private final Map<String, Integer> failures = new ConcurrentHashMap<>();

  public static void main(String[] args) {
    try {
      new WsHold().run();
    } catch (Throwable e) {
      e.printStackTrace();
      System.exit(1);
    }
  }

  private void run() throws Exception {
    if (token == null || channel == null) {
      throw new IllegalArgumentException("ws.token and ws.channel are required");
    }
    WebSocketClient client = vertx.createWebSocketClient(new WebSocketClientOptions().setLocalAddress(localAddress)
        .setMaxConnections(connections + 100).setConnectTimeout(60_000));
    String subscribe = "{\"op\":\"subscribe\",\"channel\":\"" + channel + "\"}";
    long t0 = System.nanoTime();
    for (int start = 0; start < connections; start += batch) {
      List<Future<WebSocket>> opening = new ArrayList<>();
      for (int i = start; i < Math.min(connections, start + batch); i++) {
        opening.add(client.connect(new WebSocketConnectOptions().setHost(host).setPort(port).setURI("/v1/stream")
                .addHeader("Authorization", "Bearer " + token))
            .onSuccess(ws -> onOpen(ws, subscribe))
            .onFailure(err -> {
              failed.increment();
              failures.merge(String.valueOf(err.getMessage()), 1, Integer::sum);
            }));
      }
      Future.join(opening).await(120, TimeUnit.SECONDS);
    }
    System.out.printf("opened %d of %d from %s in %.1f s, %d failed%n", open.sum(), connections, localAddress,
        (System.nanoTime() - t0) / 1e9, failed.sum());
    failures.forEach((why, n) -> System.out.println("connect failure x" + n + ": " + why));
    vertx.setPeriodic(2000, t -> status());
    status();
    Thread.currentThread().join();
  }

  private void onOpen(WebSocket ws, String subscribe) {
    open.increment();
    ws.closeHandler(v -> {
      open.decrement();
      closed.increment();
    });
    ws.frameHandler(this::onFrame);
    ws.writeTextMessage(subscribe);
  }

  private void onFrame(WebSocketFrame frame) {
    if (frame.type() == WebSocketFrameType.PING) {
      pings.increment();
    } else if (frame.isText()) {
      Buffer b = frame.binaryData();
      if (WsOps.isEvent(b)) {
        events.increment();
      } else if (WsOps.isSubscribed(b)) {
        subscribed.increment();
      }
    }
  }

  private void status() {
    System.out.printf("status open=%d subscribed=%d events=%d pings=%d closed=%d failed=%d%n", open.sum(),
        subscribed.sum(), events.sum(), pings.sum(), closed.sum(), failed.sum());
  }
}
