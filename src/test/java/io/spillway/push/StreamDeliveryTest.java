package io.spillway.push;

import io.spillway.Spillway;
import io.spillway.testkit.ApiClient;
import io.spillway.testkit.Await;
import io.spillway.testkit.ShardDb;
import io.spillway.testkit.SpillwayApp;
import io.spillway.testkit.StreamClient;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Posts reach subscribers on every HttpVerticle and every node; private channels stay private; resume. */
class StreamDeliveryTest {
  @RegisterExtension
  static SpillwayApp app = SpillwayApp.create().configure(tree -> {
    tree.getJsonObject("kafka").put("topic", "events-" + UUID.randomUUID());
    tree.getJsonObject("stream").put("history", new JsonObject().put("maxEvents", 20));
  });

  @Test
  void aPostReachesSubscribersOnEveryVerticleInstanceAndOnASecondNode() throws Exception {
    ApiClient api = new ApiClient(app.client());
    ApiClient.User author = api.newUser("author");
    ApiClient.User reader = api.newUser("reader");
    String channel = "posts:" + author.id();
    Spillway second = app.startSecondNode();
    List<StreamClient> clients = new ArrayList<>();
    try {
      // http.instances is 2: connections are spread over both instances, so 4 sockets cover each twice.
      for (int i = 0; i < 4; i++) {
        clients.add(StreamClient.connect(app.clientVertx(), app.port(), reader.token()));
      }
      for (int i = 0; i < 2; i++) {
        clients.add(StreamClient.connect(app.clientVertx(), second.config().http().port(), reader.token()));
      }
      for (StreamClient c : clients) {
        assertEquals("subscribed", c.subscribe(channel).getString("op"));
      }
      String postId = api.post(author, "hello, live world").getString("id");
      Set<String> offsets = new HashSet<>();
      for (StreamClient c : clients) {
        JsonObject event = c.awaitEvents(channel, 1).get(0);
        assertEquals("spillway.post.created", event.getJsonObject("event").getString("type"));
        assertEquals(postId, event.getJsonObject("event").getJsonObject("data").getString("postId"));
        assertEquals("hello, live world", event.getJsonObject("event").getJsonObject("data").getString("text"));
        offsets.add(event.getString("offset"));
      }
      // The offset is the event's position in the channel, the same on every socket and node.
      assertEquals(1, offsets.size(), "one offset for one event: " + offsets);
      assertTrue(Long.parseLong(offsets.iterator().next()) >= 0, offsets.toString());
      for (StreamClient c : clients) {
        c.ping();
        assertEquals(1, c.events(channel).size(), "delivered once to each socket");
      }
    } finally {
      clients.forEach(StreamClient::close);
      second.stop().await(30, TimeUnit.SECONDS);
    }
  }

  @Test
  void anotherUsersPrivateChannelIsRefusedAndTheConnectionStaysOpen() {
    ApiClient api = new ApiClient(app.client());
    ApiClient.User me = api.newUser("me");
    ApiClient.User other = api.newUser("other");
    try (StreamClient c = StreamClient.connect(app.clientVertx(), app.port(), me.token())) {
      JsonObject refused = c.subscribe("user:" + other.id());
      assertEquals("error", refused.getString("op"));
      assertEquals("forbidden", refused.getString("code"));
      assertEquals("subscribed", c.subscribe("user:" + me.id()).getString("op"));
      c.ping();
      assertFalse(c.socket().isClosed());

      // Someone comments on my post: the notification reaches my private channel.
      String postId = api.post(me, "notify me").getString("id");
      api.call(io.vertx.core.http.HttpMethod.POST, "/v1/posts/" + postId + "/comments", other,
          new JsonObject().put("text", "a comment"));
      JsonObject note = c.awaitEvents("user:" + me.id(), 1).get(0);
      assertEquals("spillway.comment.created", note.getJsonObject("event").getString("type"));
    }
  }

  @Test
  void aClientThatResumesGetsExactlyTheEventsItMissed() {
    ApiClient api = new ApiClient(app.client());
    ApiClient.User author = api.newUser("resumable");
    ApiClient.User reader = api.newUser("resumer");
    String channel = "posts:" + author.id();
    String lastSeen;
    try (StreamClient c = StreamClient.connect(app.clientVertx(), app.port(), reader.token())) {
      c.subscribe(channel);
      api.post(author, "seen 1");
      api.post(author, "seen 2");
      lastSeen = c.awaitEvents(channel, 2).get(1).getString("offset");
    }
    List<String> missed = new ArrayList<>();
    for (int i = 1; i <= 3; i++) {
      missed.add(api.post(author, "missed " + i).getString("id"));
    }
    awaitHistoryHas(channel, 5);
    try (StreamClient c = StreamClient.connect(app.clientVertx(), app.port(), reader.token())) {
      JsonObject subscribed = c.subscribe(channel, lastSeen);
      assertEquals("subscribed", subscribed.getString("op"), subscribed.encode());
      String live = api.post(author, "live after resume").getString("id");
      List<JsonObject> events = c.awaitEvents(channel, 4);
      c.ping();
      events = c.events(channel);
      List<String> got = events.stream().map(e -> e.getJsonObject("event").getJsonObject("data").getString("postId"))
          .toList();
      List<String> expected = new ArrayList<>(missed);
      expected.add(live);
      assertEquals(expected, got, "replayed in order, then live, nothing twice");
      assertEquals(subscribed.getString("offset"), events.get(2).getString("offset"),
          "subscribed carries the offset of the last replayed event");
      assertTrue(c.frames().stream().noneMatch(f -> "reset".equals(f.getString("op"))));
    }
  }

  @Test
  void aResumeFromATrimmedOffsetGetsReset() {
    ApiClient api = new ApiClient(app.client());
    ApiClient.User author = api.newUser("prolific");
    ApiClient.User reader = api.newUser("late");
    String channel = "posts:" + author.id();
    String first;
    try (StreamClient c = StreamClient.connect(app.clientVertx(), app.port(), reader.token())) {
      c.subscribe(channel);
      api.post(author, "the first");
      first = c.awaitEvents(channel, 1).get(0).getString("offset");
    }
    // Far more than history keeps (20, trimmed in whole stream nodes of 100): written straight into the
    // outbox, as the data layer would, so they travel the real path through the relay and Kafka.
    try (ShardDb shard = new ShardDb(app.databases().get(0))) {
      shard.query("INSERT INTO outbox (topic, channel, event) SELECT $1, $2, jsonb_build_object('id', "
          + "gen_random_uuid()::text, 'type', 'test.filler', 'channel', $2, 'data', jsonb_build_object('n', g)) "
          + "FROM generate_series(1, 250) g", app.config().kafka().topic(), channel);
    }
    awaitHistoryHas(channel, 20);
    Await.until("the first event trimmed from history", StreamClient.DEADLINE,
        () -> HistoryProbe.first(app, channel) > Long.parseLong(first));
    try (StreamClient c = StreamClient.connect(app.clientVertx(), app.port(), reader.token())) {
      JsonObject subscribed = c.subscribe(channel, first);
      assertEquals("subscribed", subscribed.getString("op"));
      // reset, then subscribed: no partial replay in between (later fillers may follow live, as they should).
      List<JsonObject> frames = c.frames();
      assertEquals("reset", frames.get(0).getString("op"), frames.toString());
      assertEquals(channel, frames.get(0).getString("channel"));
      assertEquals("subscribed", frames.get(1).getString("op"), frames.toString());
      assertEquals(subscribed.getString("offset"), frames.get(0).getString("offset"));
    }
  }

  private static void awaitHistoryHas(String channel, int events) {
    Await.until(events + " events in the history of " + channel, StreamClient.DEADLINE,
        () -> HistoryProbe.length(app, channel) >= events);
  }
}
