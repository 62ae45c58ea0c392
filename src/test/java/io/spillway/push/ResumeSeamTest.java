package io.spillway.push;

import io.spillway.Spillway;
import io.spillway.data.ShardRouter;
import io.spillway.testkit.ApiClient;
import io.spillway.testkit.Await;
import io.spillway.testkit.ShardDb;
import io.spillway.testkit.SpillwayApp;
import io.spillway.testkit.StreamClient;
import io.vertx.core.Future;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The seam between history replay and live events, under a steady stream of posts through node A:
 * <ul>
 *   <li>a flaky client keeps dropping its connection and resuming with {@code since}, each time on the other
 *   node, while live events for the channel keep arriving during each history read;</li>
 *   <li>clients that were away since the start come back one by one during a burst of thousands of events
 *   (written straight into the outbox), each to a long replay while the burst goes on live: the window in which
 *   live events newer than the replay arrive during the history read.</li>
 * </ul>
 * Across all its connections, each client must get every event of the channel's history exactly once and in
 * channel order: no gap, no duplicate at any seam.
 */
class ResumeSeamTest {
  private static final int POSTERS = 4;
  private static final int RECONNECTS = 12;
  private static final int FILLERS = 3000;
  private static final int AWAY = 6;

  @RegisterExtension
  static SpillwayApp app = SpillwayApp.create().configure(tree -> {
    tree.getJsonObject("kafka").put("topic", "seam-" + UUID.randomUUID());
    // History keeps everything, and a long replay fits in a connection's outbound buffer.
    tree.getJsonObject("stream").put("history", new JsonObject().put("maxEvents", 100_000))
        .put("maxOutboundBytes", 64 << 20);
    // The author posts as fast as the node lets it, and the stream's connections are not shed when a busy
    // machine makes the event loops lag: the point is the stream, not the node's protection.
    tree.getJsonObject("limits").put("enabled", false);
    tree.getJsonObject("shed").put("eventLoopLagMs", 0);
  });

  @Test
  void resumingOnTheOtherNodeWhilePostsKeepComingLosesAndRepeatsNothing() throws Exception {
    ApiClient api = new ApiClient(app.client());
    ApiClient.User author = api.newUser("steady");
    ApiClient.User reader = api.newUser("flaky");
    String channel = "posts:" + author.id();
    Spillway b = app.startSecondNode();
    int[] ports = {app.port(), b.config().http().port()};
    List<StreamClient> flaky = new ArrayList<>();
    List<List<StreamClient>> away = new ArrayList<>();
    AtomicBoolean stop = new AtomicBoolean();
    List<Future<Void>> posters = new ArrayList<>();
    try {
      // Both nodes consume the topic before the stream starts (a node reads from the latest offset when its
      // consumer joins): the first post reaches subscribers on each.
      flaky.add(StreamClient.connect(app.clientVertx(), ports[0], reader.token()));
      flaky.get(0).subscribe(channel);
      for (int i = 0; i < AWAY; i++) {
        away.add(new ArrayList<>(List.of(StreamClient.connect(app.clientVertx(), ports[1], reader.token()))));
        away.get(i).get(0).subscribe(channel);
      }
      Set<String> posted = ConcurrentHashMap.newKeySet();
      posted.add(api.post(author, "warm-up").getString("id"));
      flaky.get(0).awaitEvents(channel, 1);
      for (List<StreamClient> client : away) {
        drop(client.get(0), channel, 1);
      }

      AtomicInteger sequence = new AtomicInteger();
      for (int i = 0; i < POSTERS; i++) {
        posters.add(postUntilStopped(api, author, posted, sequence, stop));
      }
      int seen = 0;
      for (int i = 1; i <= RECONNECTS; i++) {
        StreamClient current = flaky.get(flaky.size() - 1);
        seen += drop(current, channel, current.events(channel).size() + 3);
        if (i == RECONNECTS / 3) {
          // A burst in the stream. While it flows, the clients that were away since the warm-up come back one
          // by one (on the node they were not on), each to a replay of thousands of events with live events
          // pouring in during the history read.
          long burstStart = HistoryProbe.length(app, channel);
          insertFillers(author, channel);
          for (int k = 0; k < AWAY; k++) {
            long mark = burstStart + (long) FILLERS * (k + 1) / (AWAY + 2);
            Await.until("the burst to reach " + mark + " events", StreamClient.DEADLINE,
                () -> HistoryProbe.length(app, channel) >= mark);
            List<StreamClient> client = away.get(k);
            client.add(resume(ports[0], reader, channel, lastOffset(client.get(0), channel)));
          }
        }
        // Events the client has not seen are in history before it comes back: the resume must replay them.
        int seenSoFar = seen;
        Await.until("history to pass what the client saw", StreamClient.DEADLINE,
            () -> HistoryProbe.length(app, channel) >= seenSoFar + 2);
        flaky.add(resume(ports[i % 2], reader, channel, lastOffset(current, channel)));
      }

      stop.set(true);
      Await.result(Future.all(posters));
      int events = posted.size() + FILLERS;
      Await.until(events + " events in history", StreamClient.DEADLINE,
          () -> HistoryProbe.length(app, channel) >= events);
      List<String> history = HistoryProbe.entries(app, channel);
      assertEquals(events, history.size(), "every post and filler is in history once");
      // Then every client has all of them, unless something was lost (which the comparison below shows).
      List<List<StreamClient>> clients = new ArrayList<>(away);
      clients.add(flaky);
      catchUp(clients, channel, events);
      assertSameSequence(history, received(flaky, channel), "the flaky client, across " + flaky.size() + " connections");
      for (int i = 0; i < AWAY; i++) {
        assertSameSequence(history, received(away.get(i), channel), "client " + i + " that was away");
      }
      assertTrue(posted.size() > RECONNECTS * 3, "a steady stream: " + posted.size() + " posts");
    } finally {
      stop.set(true);
      Await.result(Future.join(posters).otherwiseEmpty());
      flaky.forEach(StreamClient::close);
      away.forEach(client -> client.forEach(StreamClient::close));
      // A node stop closes its Kafka consumer, which may wait for the group coordinator on a busy machine.
      b.stop().await(90, TimeUnit.SECONDS);
    }
  }

  /**
   * Waits (boundedly, one deadline for all) until each client's connections hold {@code events} events; a
   * client that never gets there is left to the comparison with history, which says what is missing.
   */
  private static void catchUp(List<List<StreamClient>> clients, String channel, int events) {
    long deadline = System.nanoTime() + StreamClient.DEADLINE.toNanos();
    for (List<StreamClient> connections : clients) {
      try {
        Await.until("the client to catch up", Duration.ofNanos(Math.max(0, deadline - System.nanoTime())),
            () -> connections.stream().mapToInt(c -> c.events(channel).size()).sum() >= events);
        // Anything sent before the pong (a late duplicate) has arrived too.
        connections.get(connections.size() - 1).ping();
      } catch (AssertionError e) {
        // Left to the comparison with history.
      }
    }
  }

  /** The client got exactly the history, in its order; if not, what it missed, got twice or got out of order. */
  private static void assertSameSequence(List<String> history, List<String> got, String who) {
    if (history.equals(got)) {
      return;
    }
    Set<String> seen = new HashSet<>();
    List<String> twice = got.stream().filter(e -> !seen.add(e)).toList();
    List<String> missing = history.stream().filter(e -> !seen.contains(e)).toList();
    int differ = 0;
    while (differ < Math.min(history.size(), got.size()) && history.get(differ).equals(got.get(differ))) {
      differ++;
    }
    fail(who + " got " + got.size() + " events for a history of " + history.size() + "; missing "
        + missing.size() + " " + first(missing) + ", twice " + twice.size() + " " + first(twice)
        + ", first difference at event " + differ + ": expected "
        + (differ < history.size() ? history.get(differ) : "nothing") + ", got "
        + (differ < got.size() ? got.get(differ) : "nothing"));
  }

  private static List<String> first(List<String> events) {
    return events.subList(0, Math.min(5, events.size()));
  }

  /** Waits for {@code events} on the connection, then drops it; returns how many events it got. */
  private static int drop(StreamClient conn, String channel, int events) {
    conn.awaitEvents(channel, events);
    Await.result(conn.socket().close());
    Await.result(conn.closed());
    return conn.events(channel).size();
  }

  private static StreamClient resume(int port, ApiClient.User reader, String channel, long since) {
    StreamClient conn = StreamClient.connect(app.clientVertx(), port, reader.token());
    JsonObject subscribed = conn.subscribe(channel, String.valueOf(since));
    assertEquals("subscribed", subscribed.getString("op"), subscribed.encode());
    return conn;
  }

  /**
   * What a client got over its connections, as "offset event-id", after checking each resumed one: replayed
   * events (at or below the offset in {@code subscribed}), at least one, then {@code subscribed}, then live
   * events above it; never a reset.
   */
  private static List<String> received(List<StreamClient> connections, String channel) {
    List<String> out = new ArrayList<>();
    for (int c = 0; c < connections.size(); c++) {
      List<JsonObject> frames = connections.get(c).frames();
      assertTrue(frames.stream().noneMatch(f -> "reset".equals(f.getString("op"))), frames.toString());
      int at = replayed(connections.get(c), channel);
      assertEquals("subscribed", frames.get(at).getString("op"), "connection " + c + ": " + frames);
      long mark = Long.parseLong(frames.get(at).getString("offset"));
      if (c > 0) {
        assertTrue(at >= 1, "connection " + c + " resumed and replayed what it missed: " + frames);
      }
      for (int i = 0; i < frames.size(); i++) {
        JsonObject f = frames.get(i);
        if ("event".equals(f.getString("op")) && channel.equals(f.getString("channel"))) {
          long offset = Long.parseLong(f.getString("offset"));
          assertTrue(i < at ? offset <= mark : offset > mark, "connection " + c + ": event at " + offset
              + (i < at ? " replayed beyond " : " live at or below ") + mark);
          out.add(offset + " " + f.getJsonObject("event").getString("id"));
        }
      }
    }
    return out;
  }

  /** The events a connection got before its {@code subscribed} frame (the frame's index). */
  private static int replayed(StreamClient conn, String channel) {
    List<JsonObject> frames = conn.frames();
    for (int i = 0; i < frames.size(); i++) {
      if ("subscribed".equals(frames.get(i).getString("op")) && channel.equals(frames.get(i).getString("channel"))) {
        return i;
      }
    }
    throw new AssertionError("never subscribed: " + frames);
  }

  /** What the client resumes from: the highest offset it saw in an event or subscribed frame. */
  private static long lastOffset(StreamClient conn, String channel) {
    long last = -1;
    for (JsonObject f : conn.frames()) {
      if (channel.equals(f.getString("channel")) && f.containsKey("offset")) {
        last = Math.max(last, Long.parseLong(f.getString("offset")));
      }
    }
    return last;
  }

  /** Events written straight into the author's outbox, as the data layer would: a burst in the live stream. */
  private static void insertFillers(ApiClient.User author, String channel) {
    int shard = new ShardRouter(app.config().data()).physicalOfId(Long.parseLong(author.id()));
    try (ShardDb db = new ShardDb(app.databases().get(shard))) {
      db.query("INSERT INTO outbox (topic, channel, event) SELECT $1, $2, jsonb_build_object('id', "
          + "gen_random_uuid()::text, 'type', 'test.filler', 'channel', $2, 'data', "
          + "jsonb_build_object('n', g, 'blob', repeat('x', 1000))) FROM generate_series(1, " + FILLERS + ") g",
          app.config().kafka().topic(), channel);
    }
  }

  private static Future<Void> postUntilStopped(ApiClient api, ApiClient.User author, Set<String> posted,
      AtomicInteger sequence, AtomicBoolean stop) {
    if (stop.get()) {
      return Future.succeededFuture();
    }
    JsonObject body = new JsonObject().put("text", "steady " + sequence.incrementAndGet());
    return api.send(HttpMethod.POST, "/v1/posts", author, body).compose(r -> {
      if (r.statusCode() != 201) {
        return Future.failedFuture("a post failed: " + r.statusCode() + " " + r.bodyAsString());
      }
      posted.add(r.bodyAsJsonObject().getString("id"));
      return postUntilStopped(api, author, posted, sequence, stop);
    });
  }
}
