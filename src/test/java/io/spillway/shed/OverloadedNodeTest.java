package io.spillway.shed;

import io.spillway.testkit.ApiClient;
import io.spillway.testkit.Await;
import io.spillway.testkit.Scrape;
import io.spillway.testkit.SpillwayApp;
import io.spillway.testkit.TestHttp;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The whole node under more concurrent requests than its (small, fixed) limit: writes and logins get through,
 * feed reads are shed with 503 and Retry-After, one user cannot hold more than their share.
 */
class OverloadedNodeTest {
  @RegisterExtension
  static SpillwayApp app = SpillwayApp.create().withoutKafka().configure(tree -> tree.getJsonObject("shed")
      .put("algorithm", "fixed").put("initialLimit", 4).put("minLimit", 1).put("maxLimit", 4).put("criticalReserve", 0.25)
      .put("maxQueueMs", 5000).put("maxQueueLength", 64)
      .put("perClient", new JsonObject().put("enabled", true).put("maxInFlight", 2)));

  @Test
  void criticalRequestsSucceedWhileSheddableOnesAreShed() {
    ApiClient api = new ApiClient(app.client());
    List<ApiClient.User> writers = new ArrayList<>();
    for (int i = 0; i < 12; i++) {
      writers.add(api.newUser("writer" + i));
    }
    // Each user sends two requests of the burst, within the per-client cap of 2: only the node's limit refuses.
    List<ApiClient.User> readers = new ArrayList<>();
    for (int i = 0; i < 45; i++) {
      ApiClient.User reader = api.newUser("reader" + i);
      api.call(HttpMethod.PUT, "/v1/users/" + writers.get(i % writers.size()).id() + "/follow", reader, null);
      readers.add(reader);
    }
    Scrape before = Scrape.of(app.client(), app.managementPort());

    List<Future<HttpResponse<Buffer>>> feeds = new ArrayList<>();
    List<Future<HttpResponse<Buffer>>> writes = new ArrayList<>();
    List<Future<HttpResponse<Buffer>>> probes = new ArrayList<>();
    int connections;
    try (TestHttp.Counted burst = app.concurrentClient()) {
      ApiClient concurrent = new ApiClient(burst.web());
      for (int round = 0; round < 2; round++) {
        for (ApiClient.User r : readers) {
          feeds.add(concurrent.send(HttpMethod.GET, "/v1/feed", r, null));
        }
        for (ApiClient.User w : writers) {
          writes.add(concurrent.send(HttpMethod.POST, "/v1/posts", w, new JsonObject().put("text", "under load " + round)));
        }
        // A balancer's probes in the middle of the burst: answered before the door, whatever it admits.
        probes.add(burst.web().get(app.port(), "127.0.0.1", "/health/ready").send());
        probes.add(burst.web().get(app.port(), "127.0.0.1", "/health/live").send());
      }
      Await.result(Future.join(probes).otherwiseEmpty());
      Await.result(Future.join(feeds).otherwiseEmpty());
      Await.result(Future.join(writes).otherwiseEmpty());
      connections = burst.connections();
    }

    writes.forEach(w -> assertEquals(201, w.result().statusCode(), w.result().bodyAsString()));
    probes.forEach(p -> assertEquals(200, p.result().statusCode(), "a probe under overload: " + p.result().bodyAsString()));
    long shed = 0;
    for (Future<HttpResponse<Buffer>> f : feeds) {
      HttpResponse<Buffer> r = f.result();
      assertTrue(r.statusCode() == 200 || r.statusCode() == 503, r.statusCode() + " " + r.bodyAsString());
      if (r.statusCode() == 503) {
        shed++;
        assertEquals("1", r.getHeader("Retry-After"));
        assertEquals("application/problem+json", r.getHeader("Content-Type"));
        assertTrue(r.bodyAsJsonObject().getString("type").endsWith("/overloaded"), r.bodyAsString());
      }
    }
    // A pool opens a connection only when all its open ones are busy: this many requests were in flight at once.
    assertTrue(connections >= 57, "118 requests sent at once overlapped on only " + connections + " connections");
    assertTrue(shed > 0, "90 feed reads at once on a node that serves 4 at a time: some are shed");
    Scrape after = Scrape.of(app.client(), app.managementPort());
    assertEquals(shed, after.value("spillway_shed_rejected_total", "priority=\"sheddable\"")
        - before.value("spillway_shed_rejected_total", "priority=\"sheddable\""));
    assertEquals(0, after.value("spillway_shed_rejected_total", "priority=\"critical\"")
        - before.value("spillway_shed_rejected_total", "priority=\"critical\""), "no write was refused");
    assertEquals(4, after.value("spillway_shed_limit"));
  }

  @Test
  void oneClientCannotHoldMoreThanItsShare() {
    ApiClient api = new ApiClient(app.client());
    ApiClient.User greedy = api.newUser("greedy");
    List<Future<HttpResponse<Buffer>>> all = new ArrayList<>();
    int connections;
    try (TestHttp.Counted burst = app.concurrentClient()) {
      ApiClient concurrent = new ApiClient(burst.web());
      for (int i = 0; i < 20; i++) {
        all.add(concurrent.send(HttpMethod.POST, "/v1/posts", greedy, new JsonObject().put("text", "mine " + i)));
      }
      Await.result(Future.join(all).otherwiseEmpty());
      connections = burst.connections();
    }
    assertTrue(connections >= 10, "20 writes sent at once overlapped on only " + connections + " connections");
    long tooMany = all.stream().filter(f -> f.result().statusCode() == 429).count();
    long created = all.stream().filter(f -> f.result().statusCode() == 201).count();
    assertEquals(20, tooMany + created);
    assertTrue(tooMany > 0, "20 concurrent writes by one user with a per-client cap of 2");
    assertTrue(created >= 2, "the first two of the burst fit the cap");
    all.stream().filter(f -> f.result().statusCode() == 429).forEach(f -> {
      assertEquals("application/problem+json", f.result().getHeader("Content-Type"));
      assertTrue(f.result().bodyAsJsonObject().getString("type").endsWith("/too-many-concurrent-requests"),
          f.result().bodyAsString());
      assertEquals("1", f.result().getHeader("Retry-After"));
    });
  }
}
