package io.spillway.observe;

import io.spillway.testkit.ApiClient;
import io.spillway.testkit.Await;
import io.spillway.testkit.Scrape;
import io.spillway.testkit.SpillwayApp;
import io.vertx.core.http.HttpMethod;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

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
    assertTrue(after.value("vertx_http_server_response_time_seconds_bucket", "route=\"/v1/users/:id\"", "le=\"+Inf\"") >= 10,
        "request durations are a histogram");
    assertEquals(4, delta(before, after, "spillway_data_request_seconds_count", "operation=\"CreatePost\""));
    assertEquals(14, delta(before, after, "spillway_ratelimit_decisions_total", "policy=\"api-per-client\"",
        "result=\"admitted\""), "every /v1 request was checked against the shipped per-client limit");
    assertEquals(0, after.value(requests, "/not/a/route"), "raw paths never become labels");
    assertTrue(after.value("vertx_pool_in_use", "pool_name=\"spillway-shard-0\"") >= 0);
    assertTrue(after.names().contains("spillway_outbox_backlog"));
    assertTrue(after.names().stream().anyMatch(n -> n.startsWith("jvm_memory_used")), "JVM metrics are on");
  }

  private static double delta(Scrape before, Scrape after, String name, String... labels) {
    return after.value(name, labels) - before.value(name, labels);
  }
}
