package io.spillway.observe;

import io.spillway.data.ShardRouter;
import io.spillway.testkit.ApiClient;
import io.spillway.testkit.Await;
import io.spillway.testkit.Scrape;
import io.spillway.testkit.SpillwayApp;
import io.vertx.core.http.HttpMethod;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Known traffic in, the same counts out of /metrics: per route template and status, never per raw path. */
class MetricsTest {
  @RegisterExtension
  static SpillwayApp app = SpillwayApp.create().withoutKafka();

  @Test
  void requestCountsPerRouteAndStatusMatchWhatWasSent() {
    ApiClient api = new ApiClient(app.client());
    ApiClient.User u = api.newUser("metered");
    Scrape before = Scrape.of(app.client(), app.managementPort());
    for (int i = 0; i < 7; i++) {
      assertEquals(200, api.get("/v1/users/" + u.id(), null).statusCode());
    }
    for (int i = 0; i < 3; i++) {
      assertEquals(404, api.get("/v1/users/" + (Long.parseLong(u.id()) + 1 + i), null).statusCode());
    }
    for (int i = 0; i < 4; i++) {
      api.post(u, "counted " + i);
    }
    Await.result(app.client().get("/not/a/route/" + System.nanoTime()).send());
    Scrape after = Scrape.of(app.client(), app.managementPort());

    String requests = "vertx_http_server_requests_total";
    assertEquals(7, delta(before, after, requests, "route=\"/v1/users/:id\"", "code=\"200\"", "method=\"GET\""));
    assertEquals(3, delta(before, after, requests, "route=\"/v1/users/:id\"", "code=\"404\""));
    assertEquals(4, delta(before, after, requests, "route=\"/v1/posts\"", "code=\"201\"", "method=\"POST\""));
    assertEquals(10, delta(before, after, "vertx_http_server_response_time_seconds_count", "route=\"/v1/users/:id\""));
    assertEquals(10, delta(before, after, "vertx_http_server_response_time_seconds_bucket", "route=\"/v1/users/:id\"",
        "le=\"+Inf\""), "request durations are a histogram");
    assertEquals(4, delta(before, after, "spillway_data_request_seconds_count", "operation=\"CreatePost\""));
    assertEquals(14, delta(before, after, "spillway_ratelimit_decisions_total", "policy=\"api-per-client\"",
        "result=\"admitted\""), "every /v1 request was checked against the shipped per-client limit");
    assertEquals(0, after.value(requests, "/not/a/route"), "raw paths never become labels");
    assertTrue(after.names().stream().anyMatch(n -> n.startsWith("jvm_memory_used")), "JVM metrics are on");

    // The Pg pools, per shard: the four post transactions used (and gave back) connections of the author's shard.
    int authorShard = new ShardRouter(app.config().data()).physicalOfId(Long.parseLong(u.id()));
    String authorPool = "pool_name=\"spillway-shard-" + authorShard + "\"";
    for (int shard = 0; shard < 2; shard++) {
      for (String pool : List.of("vertx_pool_in_use", "vertx_pool_queue_pending", "vertx_pool_completed_total")) {
        assertTrue(after.has(pool, "pool_name=\"spillway-shard-" + shard + "\"", "pool_type=\"sql\""),
            pool + " of shard " + shard + " is exported");
      }
    }
    assertTrue(delta(before, after, "vertx_pool_completed_total", authorPool) >= 4,
        "4 transactions on shard " + authorShard + ", the pool counted " + delta(before, after,
            "vertx_pool_completed_total", authorPool) + " uses (its periodic backlog query adds more)");
    // No Kafka here, so no relay: the four posts' events wait in the author's shard's outbox. The backlog is
    // sampled every 5 s.
    String authorBacklog = "shard=\"" + authorShard + "\"";
    String otherBacklog = "shard=\"" + (1 - authorShard) + "\"";
    Scrape sampled = Await.untilPresent("the outbox backlog of shard " + authorShard + " to show the 4 posts",
        Duration.ofSeconds(15), () -> {
          Scrape now = Scrape.of(app.client(), app.managementPort());
          return now.value("spillway_outbox_backlog", authorBacklog) == 4 ? now : null;
        });
    assertTrue(sampled.has("spillway_outbox_backlog", otherBacklog));
    assertEquals(0, sampled.value("spillway_outbox_backlog", otherBacklog), "nothing was written on the other shard");
    // Once the requests are answered, no connection is held and nobody waits for one.
    Await.until("the Pg pools idle", Duration.ofSeconds(10), () -> {
      Scrape now = Scrape.of(app.client(), app.managementPort());
      return now.has("vertx_pool_in_use", authorPool) && now.value("vertx_pool_in_use", "pool_type=\"sql\"") == 0
          && now.value("vertx_pool_queue_pending", "pool_type=\"sql\"") == 0;
    });
  }

  private static double delta(Scrape before, Scrape after, String name, String... labels) {
    return after.value(name, labels) - before.value(name, labels);
  }
}
