package io.spillway.testkit;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonObject;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;

/** A WebSocket client of {@code /v1/stream} as a test sees it: every frame it got, and waits on them. */
public final class StreamClient implements AutoCloseable {
  public static final Duration DEADLINE = Duration.ofSeconds(30);

  private final WebSocketClient client;
  private final WebSocket ws;
  private final List<JsonObject> frames = new CopyOnWriteArrayList<>();
  private final Promise<Short> closed = Promise.promise();

  private StreamClient(WebSocketClient client, WebSocket ws) {
    this.client = client;
    this.ws = ws;
    ws.textMessageHandler(text -> frames.add(new JsonObject(text)));
    ws.closeHandler(v -> closed.tryComplete(ws.closeStatusCode()));
  }

  public static StreamClient connect(Vertx vertx, int port, String token) {
    return connect(vertx, port, token, new WebSocketClientOptions());
  }

  public static StreamClient connect(Vertx vertx, int port, String token, WebSocketClientOptions options) {
    WebSocketClient client = vertx.createWebSocketClient(options.setMaxFrameSize(1 << 20).setMaxMessageSize(1 << 22));
    WebSocket ws = Await.result(client.connect(new WebSocketConnectOptions().setHost("127.0.0.1").setPort(port)
        .setURI("/v1/stream").addHeader("Authorization", "Bearer " + token)));
    return new StreamClient(client, ws);
  }

  public void send(JsonObject frame) {
    Await.result(ws.writeTextMessage(frame.encode()));
  }

  /** Subscribes and waits for the {@code subscribed} (or {@code error}) answer for that channel. */
  public JsonObject subscribe(String channel, String since) {
    JsonObject frame = new JsonObject().put("op", "subscribe").put("channel", channel);
    if (since != null) {
      frame.put("since", since);
    }
    int before = frames.size();
    send(frame);
    return awaitFrame("an answer to subscribing to " + channel, before, f -> channel.equals(f.getString("channel"))
        && ("subscribed".equals(f.getString("op")) || "error".equals(f.getString("op"))));
  }

  public JsonObject subscribe(String channel) {
    return subscribe(channel, null);
  }

  public JsonObject awaitFrame(String what, int from, Predicate<JsonObject> match) {
    return Await.untilPresent(what, DEADLINE, () -> {
      for (int i = from; i < frames.size(); i++) {
        if (match.test(frames.get(i))) {
          return frames.get(i);
        }
      }
      return null;
    });
  }

  public void ping() {
    int before = frames.size();
    send(new JsonObject().put("op", "ping"));
    awaitFrame("pong", before, f -> "pong".equals(f.getString("op")));
  }

  public List<JsonObject> frames() {
    return List.copyOf(frames);
  }

  /** The {@code event} frames of {@code channel}, in arrival order. */
  public List<JsonObject> events(String channel) {
    return frames.stream().filter(f -> "event".equals(f.getString("op")) && channel.equals(f.getString("channel")))
        .toList();
  }

  public List<JsonObject> awaitEvents(String channel, int count) {
    Await.until(count + " events on " + channel + " (have " + events(channel).size() + ")", DEADLINE,
        () -> events(channel).size() >= count);
    return events(channel);
  }

  public WebSocket socket() {
    return ws;
  }

  public Future<Short> closed() {
    return closed.future();
  }

  @Override
  public void close() {
    ws.close();
    client.close();
  }
}
