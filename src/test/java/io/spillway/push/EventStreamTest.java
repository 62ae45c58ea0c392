package io.spillway.push;

import io.spillway.testkit.ApiClient;
import io.spillway.testkit.Await;
import io.spillway.testkit.SpillwayApp;
import io.spillway.testkit.StreamClient;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code GET /v1/stream/sse} over a real HTTP connection: the same events as the WebSocket, resume from
 * {@code Last-Event-ID} through channel history, the same auth for private channels and the same limits.
 */
class EventStreamTest {
  @RegisterExtension
  static SpillwayApp app = SpillwayApp.create().configure(tree -> {
    tree.getJsonObject("kafka").put("topic", "events-" + UUID.randomUUID());
    tree.getJsonObject("stream").put("maxSubscriptions", 3).put("maxConnectionsPerUser", 3);
  });

  private final ApiClient api = new ApiClient(app.client());

  /** One open event stream as a client reads it: its messages ({@code id} and parsed {@code data}). */
  private static final class EventStream implements AutoCloseable {
    record Message(String id, JsonObject data) {}

    final HttpClient client = app.clientVertx().createHttpClient();
    final List<Message> messages = new CopyOnWriteArrayList<>();
    final HttpClientResponse response;
    private final StringBuilder pending = new StringBuilder();

    EventStream(String query, String token, Map<String, String> headers) {
      RequestOptions options = new RequestOptions().setMethod(HttpMethod.GET).setHost("127.0.0.1").setPort(app.port())
          .setURI("/v1/stream/sse?" + query).addHeader("Accept", "text/event-stream");
      if (token != null) {
        options.addHeader("Authorization", "Bearer " + token);
      }
      headers.forEach(options::addHeader);
      // The handler is set on the event loop as the response arrives: the first messages follow at once.
      response = Await.result(client.request(options).compose(req -> req.send()).map(r -> r.handler(buffer -> {
        synchronized (pending) {
          pending.append(buffer.toString());
          int end;
          while ((end = pending.indexOf("\n\n")) >= 0) {
            String block = pending.substring(0, end);
            pending.delete(0, end + 2);
            String id = null;
            String data = null;
            for (String line : block.split("\n")) {
              if (line.startsWith("id: ")) {
                id = line.substring(4);
              } else if (line.startsWith("data: ")) {
                data = line.substring(6);
              }
            }
            if (data != null) {
              messages.add(new Message(id, new JsonObject(data)));
            }
          }
        }
      })));
    }

    List<Message> of(String op, String channel) {
      return messages.stream().filter(m -> op.equals(m.data().getString("op"))
          && channel.equals(m.data().getString("channel"))).toList();
    }

    List<Message> await(String op, String channel, int count) {
      Await.until(count + " " + op + " messages on " + channel + " (have " + of(op, channel).size() + ")",
          StreamClient.DEADLINE, () -> of(op, channel).size() >= count);
      return of(op, channel);
    }

    String lastId() {
      return messages.get(messages.size() - 1).id();
    }

    @Override
    public void close() {
      client.close();
    }
  }

  @Test
  void eventsArriveAsTheWebSocketSendsThemAndAResumeReplaysExactlyWhatWasMissed() {
    ApiClient.User author = api.newUser("sse-author");
    ApiClient.User reader = api.newUser("sse-reader");
    String posts = "posts:" + author.id();
    String mine = "user:" + reader.id();
    String lastId;
    try (EventStream sse = new EventStream("channels=" + posts + "," + mine, reader.token(), Map.of());
         StreamClient ws = StreamClient.connect(app.clientVertx(), app.port(), reader.token())) {
      assertEquals(200, sse.response.statusCode());
      assertEquals("text/event-stream; charset=utf-8", sse.response.getHeader("Content-Type"));
      sse.await("subscribed", posts, 1);
      sse.await("subscribed", mine, 1);
      ws.subscribe(posts);
      String first = api.post(author, "seen over SSE").getString("id");
      EventStream.Message event = sse.await("event", posts, 1).get(0);
      JsonObject wsFrame = ws.awaitEvents(posts, 1).get(0);
      assertEquals(wsFrame, event.data(), "the same frame as the WebSocket's");
      assertEquals(first, event.data().getJsonObject("event").getJsonObject("data").getString("postId"));
      String offset = event.data().getString("offset");
      assertEquals(offset + ",-1", event.id(), "the id holds every channel's offset, in the order asked for");
      // Someone comments on the reader's post: the private channel delivers it too.
      String own = api.post(reader, "mine").getString("id");
      api.call(HttpMethod.POST, "/v1/posts/" + own + "/comments", author, new JsonObject().put("text", "hello"));
      sse.await("event", mine, 1);
      lastId = sse.lastId();
    }
    List<String> missed = new ArrayList<>();
    for (int i = 1; i <= 3; i++) {
      missed.add(api.post(author, "missed " + i).getString("id"));
    }
    Await.until("the missed posts in history", StreamClient.DEADLINE, () -> HistoryProbe.length(app, posts) >= 4);
    try (EventStream sse = new EventStream("channels=" + posts + "," + mine, reader.token(),
        Map.of("Last-Event-ID", lastId))) {
      List<EventStream.Message> replayed = sse.await("event", posts, 3);
      sse.await("subscribed", posts, 1);
      String live = api.post(author, "live after resume").getString("id");
      sse.await("event", posts, 4);
      sse.await("subscribed", mine, 1);
      List<String> got = sse.of("event", posts).stream()
          .map(m -> m.data().getJsonObject("event").getJsonObject("data").getString("postId")).toList();
      List<String> expected = new ArrayList<>(missed);
      expected.add(live);
      assertEquals(expected, got, "replayed in order, then live, nothing twice");
      assertTrue(sse.of("event", mine).isEmpty(), "nothing new on the private channel: nothing replayed");
      assertTrue(sse.messages.stream().noneMatch(m -> "reset".equals(m.data().getString("op"))));
      assertTrue(replayed.get(2).id().startsWith(replayed.get(2).data().getString("offset") + ","));
    }
  }

  @Test
  void privateChannelsMalformedRequestsAndLimitsAreRefusedBeforeTheStreamOpens() {
    ApiClient.User me = api.newUser("sse-me");
    ApiClient.User other = api.newUser("sse-other");
    assertProblem(open("channels=user:" + other.id(), me.token(), "text/event-stream", null), 403, "private");
    assertProblem(open("channels=posts:" + other.id(), null, "text/event-stream", null), 401, "token");
    assertProblem(open("channels=posts:" + other.id(), "not-a-token", "text/event-stream", null), 401, "");
    assertProblem(open("channels=posts:" + other.id(), me.token(), "application/json", null), 406, "text/event-stream");
    assertProblem(open("channels=posts:" + other.id(), me.token(), "text/event-stream;q=0, */*;q=0", null), 406, "Accept");
    assertProblem(open("channels=rooms:1", me.token(), "text/event-stream", null), 400, "channels: unknown channel");
    assertProblem(open("channels=posts:1,posts:2,posts:3,posts:4", me.token(), "text/event-stream", null), 400,
        "at most 3 channels");
    assertProblem(open("channels=posts:1,posts:1", me.token(), "text/event-stream", null), 400, "twice");
    assertProblem(open("", me.token(), "text/event-stream", null), 400, "channels: is required");
    assertProblem(open("channels=posts:1,posts:2", me.token(), "text/event-stream", "12"), 400, "Last-Event-ID");
    assertProblem(open("channels=posts:1", me.token(), "text/event-stream", "abc"), 400, "Last-Event-ID");
    // The browser's EventSource cannot set headers: a single-use ticket and the resume point travel as parameters;
    // a token in the URL is refused, as for the WebSocket.
    assertProblem(open("channels=user:" + me.id() + "&access_token=" + me.token(), null, "text/event-stream", null),
        401, "URL");
    String ticket = api.call(HttpMethod.POST, "/v1/stream/ticket", me, null).bodyAsJsonObject().getString("ticket");
    try (EventStream sse = new EventStream("channels=user:" + me.id() + "&ticket=" + ticket + "&lastEventId=-1",
        null, Map.of())) {
      assertEquals(200, sse.response.statusCode());
      sse.await("subscribed", "user:" + me.id(), 1);
    }
    assertProblem(open("channels=user:" + me.id() + "&ticket=" + ticket, null, "text/event-stream", null), 401,
        "spent");
  }

  @Test
  void eventStreamsCountAgainstTheOpenStreamCapsOfTheirUser() {
    ApiClient.User me = api.newUser("sse-caps");
    List<EventStream> open = new ArrayList<>();
    try {
      for (int i = 0; i < 2; i++) {
        open.add(new EventStream("channels=user:" + me.id(), me.token(), Map.of()));
        open.get(i).await("subscribed", "user:" + me.id(), 1);
      }
      try (StreamClient ws = StreamClient.connect(app.clientVertx(), app.port(), me.token())) {
        ws.ping();
        assertProblem(open("channels=user:" + me.id(), me.token(), "text/event-stream", null), 429, "open streams");
      }
      // The socket closed: its place is free again, for a stream as for a socket.
      Await.until("a free place", StreamClient.DEADLINE, () -> {
        EventStream again = new EventStream("channels=user:" + me.id(), me.token(), Map.of());
        open.add(again);
        return again.response.statusCode() == 200;
      });
    } finally {
      open.forEach(EventStream::close);
    }
  }

  private static HttpClientResponse open(String query, String token, String accept, String lastEventId) {
    HttpClient client = app.clientVertx().createHttpClient();
    try {
      RequestOptions options = new RequestOptions().setMethod(HttpMethod.GET).setHost("127.0.0.1").setPort(app.port())
          .setURI("/v1/stream/sse?" + query).addHeader("Accept", accept);
      if (token != null) {
        options.addHeader("Authorization", "Bearer " + token);
      }
      if (lastEventId != null) {
        options.addHeader("Last-Event-ID", lastEventId);
      }
      return Await.result(client.request(options).compose(req -> req.send())
          .compose(r -> r.body().map(body -> {
            r.headers().set("x-test-body", body.toString());
            return r;
          })));
    } finally {
      client.close();
    }
  }

  private static void assertProblem(HttpClientResponse r, int status, String fragment) {
    String body = r.headers().get("x-test-body");
    assertEquals(status, r.statusCode(), body);
    assertEquals("application/problem+json", r.getHeader("Content-Type"));
    assertTrue(new JsonObject(body).getString("detail").contains(fragment), body);
  }
}
