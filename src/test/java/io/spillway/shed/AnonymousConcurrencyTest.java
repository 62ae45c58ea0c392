package io.spillway.shed;

import io.spillway.testkit.Await;
import io.spillway.testkit.SpillwayApp;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Anonymous callers are held to a number of requests in progress per address, an IPv6 address by its /64. */
class AnonymousConcurrencyTest {
  @RegisterExtension
  static SpillwayApp app = SpillwayApp.create().withoutKafka().shards(1).configure(tree -> {
    tree.getJsonObject("shed").put("perClient", new JsonObject().put("maxInFlightPerAddress", 2));
    // Sign-ups that take a while, so the requests of one burst are in progress together.
    tree.put("auth", new JsonObject().put("passwordIterations", 1_000_000)
        .put("hashing", new JsonObject().put("threads", 2).put("maxInFlight", 100).put("maxInFlightPerClient", 100)));
  });
  private static io.vertx.ext.web.client.WebClient concurrent;

  /** Bursts are sent at once: a client with a connection per request. */
  private static io.vertx.ext.web.client.WebClient client() {
    if (concurrent == null) {
      concurrent = app.concurrentClient().web();
    }
    return concurrent;
  }

  private static Future<HttpResponse<Buffer>> signUp(String from) {
    return client().post("/v1/users").putHeader("X-Forwarded-For", from).sendJsonObject(new JsonObject()
        .put("email", UUID.randomUUID() + "@example.com").put("name", "anon").put("password", "a-good-password"));
  }

  @Test
  void oneNetworkGetsItsShareOfAnonymousRequests() {
    List<Future<HttpResponse<Buffer>>> slash64 = new ArrayList<>();
    for (String from : new String[] {"2001:db8::1", "2001:db8::2", "2001:db8::3", "2001:db8::4"}) {
      slash64.add(signUp(from));
    }
    List<Future<HttpResponse<Buffer>>> neighbour = List.of(signUp("2001:db8:0:1::1"), signUp("2001:db8:0:1::2"));
    List<Future<HttpResponse<Buffer>>> v4 = List.of(signUp("198.51.100.1"), signUp("198.51.100.1"), signUp("198.51.100.1"));
    Await.result(Future.join(Future.join(slash64), Future.join(neighbour), Future.join(v4)));

    assertEquals(List.of(201, 201, 429, 429), statuses(slash64), "four addresses, one /64: two at a time");
    assertEquals(List.of(201, 201), statuses(neighbour), "the next /64 is another client");
    assertEquals(List.of(201, 201, 429), statuses(v4));
    HttpResponse<Buffer> refused = slash64.stream().map(Future::result).filter(r -> r.statusCode() == 429).findFirst().orElseThrow();
    assertEquals("https://spillway.dev/problems/too-many-concurrent-requests", refused.bodyAsJsonObject().getString("type"));
  }

  private static List<Integer> statuses(List<Future<HttpResponse<Buffer>>> all) {
    return all.stream().map(f -> f.result().statusCode()).sorted().toList();
  }
}
