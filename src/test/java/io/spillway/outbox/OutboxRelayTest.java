package io.spillway.outbox;

import io.spillway.data.ShardRouter;
import io.spillway.testkit.ApiClient;
import io.spillway.testkit.Await;
import io.spillway.testkit.EmbeddedKafka;
import io.spillway.testkit.Ports;
import io.spillway.testkit.ShardDb;
import io.spillway.testkit.SpillwayApp;
import io.spillway.testkit.StreamClient;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The outbox guarantees, on a broker of this class's own that can be stopped: writes do not depend on Kafka,
 * and every committed event is delivered once Kafka is back, even when the relay fails between publishing
 * and deleting (a duplicate is allowed, a gap is not); a row Kafka refuses for good is set aside.
 */
class OutboxRelayTest {
  private static final Path KAFKA_DIR = tempDir();
  private static final int KAFKA_PORT = Ports.free();
  private static final Duration OUTAGE = Duration.ofSeconds(60);
  private static EmbeddedKafka kafka = EmbeddedKafka.start(KAFKA_DIR, KAFKA_PORT, false);

  /** Registered first, so it runs after the app has stopped: the node never sees its broker vanish at the end. */
  @RegisterExtension
  @Order(1)
  static AfterAllCallback stopKafka = ctx -> kafka.close(); // the restarted broker deletes its directory

  @RegisterExtension
  @Order(2)
  static SpillwayApp app = SpillwayApp.create().configure(tree -> {
    tree.getJsonObject("kafka").put("bootstrapServers", kafka.bootstrapServers());
    tree.put("outbox", new JsonObject().put("pollIntervalMs", 200));
  });

  /**
   * Kafka down for a minute while a client keeps posting: every write succeeds (the events wait in the
   * outbox, and the relay holds no transaction open meanwhile), and every event arrives once Kafka is back.
   * The figures go to target/faults/kafka-outage.txt for docs/reliability.md.
   */
  @Test
  void kafkaDownForAMinuteDuringWritesLosesNothing() throws IOException {
    ApiClient api = new ApiClient(app.client());
    ApiClient.User author = api.newUser("outage");
    ApiClient.User reader = api.newUser("patient");
    String channel = "posts:" + author.id();
    String db = app.databases().get(new ShardRouter(app.config().data()).physicalOfId(Long.parseLong(author.id())));
    try (ShardDb shard = new ShardDb(db);
         StreamClient c = StreamClient.connect(app.clientVertx(), app.port(), reader.token())) {
      c.subscribe(channel);
      Set<String> posted = new HashSet<>();
      posted.add(api.post(author, "before the outage").getString("id"));
      c.awaitEvents(channel, 1);

      kafka.close();
      long outageStart = System.nanoTime();
      int writes = 0;
      int failed = 0;
      long longestIdleTx = 0;
      String longestIdleQuery = "";
      while (System.nanoTime() - outageStart < OUTAGE.toNanos()) {
        HttpResponse<Buffer> r = api.call(HttpMethod.POST, "/v1/posts", author,
            new JsonObject().put("text", "during the outage " + writes));
        writes++;
        if (r.statusCode() == 201) {
          posted.add(r.bodyAsJsonObject().getString("id"));
        } else {
          failed++;
        }
        for (io.vertx.sqlclient.Row idle : shard.query("SELECT (extract(epoch FROM now() - state_change) * 1000)::bigint, "
            + "query FROM pg_stat_activity WHERE state = 'idle in transaction' AND application_name = 'spillway' "
            + "AND datname = current_database()")) {
          if (idle.getLong(0) > longestIdleTx) {
            longestIdleTx = idle.getLong(0);
            longestIdleQuery = idle.getString(1);
          }
        }
        Await.result(app.clientVertx().timer(150));
      }
      long outageMs = (System.nanoTime() - outageStart) / 1_000_000;
      long waiting = shard.count("SELECT count(*) FROM outbox");
      kafka = EmbeddedKafka.start(KAFKA_DIR, KAFKA_PORT, true);
      long back = System.nanoTime();

      Await.until("all " + posted.size() + " posts delivered, have " + postIds(c, channel).size(),
          Duration.ofSeconds(120), () -> postIds(c, channel).containsAll(posted));
      long deliveredMs = (System.nanoTime() - back) / 1_000_000;
      assertEquals(0, failed, "every write during the outage succeeded");
      assertEquals(writes + 1, posted.size());
      assertEquals(posted, postIds(c, channel), "every event arrived, none unknown");
      assertTrue(longestIdleTx < 1000, "no relay transaction waited on Kafka: " + longestIdleTx + " ms idle in one after "
          + longestIdleQuery);
      Path out = Path.of("target", "faults", "kafka-outage.txt");
      Files.createDirectories(out.getParent());
      Files.writeString(out, String.format("kafka down %d ms during writes: %d writes, %d failed, %d events waiting"
              + " in the outbox at the end of the outage, all %d events delivered %d ms after the broker was back,"
              + " longest idle-in-transaction session %d ms%n", outageMs, writes, failed, waiting, posted.size(),
          deliveredMs, longestIdleTx));
    }
  }

  /**
   * A row Kafka will never take (larger than the broker accepts) goes to outbox_dead_letter with the error,
   * and the rows after it are published: one bad row does not block its shard.
   */
  @Test
  void aRowKafkaRefusesForGoodIsDeadLetteredAndTheShardMovesOn() {
    ApiClient api = new ApiClient(app.client());
    ApiClient.User author = api.newUser("oversized");
    ApiClient.User reader = api.newUser("reader");
    String channel = "posts:" + author.id();
    String db = app.databases().get(new ShardRouter(app.config().data()).physicalOfId(Long.parseLong(author.id())));
    try (ShardDb shard = new ShardDb(db);
         StreamClient c = StreamClient.connect(app.clientVertx(), app.port(), reader.token())) {
      c.subscribe(channel);
      long bad = shard.query("INSERT INTO outbox (topic, channel, event) VALUES ($1, $2, "
              + "jsonb_build_object('id', 'oversized', 'blob', repeat('x', 2000000))) RETURNING id",
          app.config().kafka().topic(), channel).get(0).getLong(0);
      String after = api.post(author, "after the bad row").getString("id");
      Await.until("the post after the bad row delivered", StreamClient.DEADLINE,
          () -> postIds(c, channel).contains(after));
      Await.until("the bad row dead-lettered", StreamClient.DEADLINE,
          () -> shard.count("SELECT count(*) FROM outbox_dead_letter WHERE id = $1", bad) == 1);
      assertEquals(0, shard.count("SELECT count(*) FROM outbox WHERE id = $1", bad));
      String error = shard.query("SELECT error FROM outbox_dead_letter WHERE id = $1", bad).get(0).getString(0);
      assertTrue(error.contains("RecordTooLarge"), error);
    }
  }

  @Test
  void aRelayThatFailsAfterPublishingRepublishesInsteadOfLosing() {
    ApiClient api = new ApiClient(app.client());
    ApiClient.User author = api.newUser("unlucky");
    ApiClient.User reader = api.newUser("watcher");
    String channel = "posts:" + author.id();
    String db = app.databases().get(new ShardRouter(app.config().data()).physicalOfId(Long.parseLong(author.id())));
    try (ShardDb shard = new ShardDb(db);
         StreamClient c = StreamClient.connect(app.clientVertx(), app.port(), reader.token())) {
      // The first DELETE of published rows fails (a sequence is not rolled back with the transaction), as if
      // the relay had died right after Kafka acknowledged.
      shard.query("CREATE SEQUENCE outbox_delete_attempts");
      shard.query("CREATE FUNCTION fail_first_outbox_delete() RETURNS trigger AS $$ BEGIN "
          + "IF nextval('outbox_delete_attempts') = 1 THEN RAISE EXCEPTION 'injected: delete after publish failed'; "
          + "END IF; RETURN NULL; END $$ LANGUAGE plpgsql");
      shard.query("CREATE TRIGGER fail_first_delete BEFORE DELETE ON outbox FOR EACH STATEMENT "
          + "EXECUTE FUNCTION fail_first_outbox_delete()");
      try {
        c.subscribe(channel);
        List<String> posted = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
          posted.add(api.post(author, "unlucky " + i).getString("id"));
        }
        Await.until("all 5 posts delivered, have " + postIds(c, channel), StreamClient.DEADLINE,
            () -> postIds(c, channel).containsAll(posted));
        Await.until("the outbox drained", StreamClient.DEADLINE,
            () -> shard.count("SELECT count(*) FROM outbox") == 0);
        assertTrue(shard.count("SELECT last_value FROM outbox_delete_attempts") >= 2,
            "the first delete failed and a later one succeeded");
      } finally {
        shard.query("DROP TRIGGER fail_first_delete ON outbox");
      }
    }
  }

  private static Set<String> postIds(StreamClient c, String channel) {
    Set<String> ids = new HashSet<>();
    c.events(channel).forEach(e -> ids.add(e.getJsonObject("event").getJsonObject("data").getString("postId")));
    return ids;
  }

  private static Path tempDir() {
    try {
      return Files.createTempDirectory("spillway-kafka-outage-");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
