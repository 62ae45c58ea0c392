package io.spillway.server;

import io.spillway.testkit.Await;
import io.spillway.testkit.LocalPostgres;
import io.spillway.testkit.NodeProcess;
import io.spillway.testkit.SpillwayApp;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * SIGTERM on a real node process drains it: readiness fails at once, the node goes on serving for {@code
 * shutdown.drainDelayMs}, and every response in that time says {@code Connection: close}, so a keep-alive
 * client's next request goes down a fresh connection instead of one the server is about to close. Then
 * the node stops and exits 0.
 */
class DrainTest {
  @Test
  void sigtermFailsReadinessThenServesWithConnectionCloseThenExits() throws Exception {
    List<String> dbs = List.of("spillway_drain_0", "spillway_drain_1");
    LocalPostgres.create(dbs);
    JsonObject conf = SpillwayApp.testConfig(dbs, 12, "");
    conf.getJsonObject("shutdown").put("drainDelayMs", 3000);
    int port = conf.getJsonObject("http").getInteger("port");
    Vertx vertx = Vertx.vertx();
    try (NodeProcess node = NodeProcess.start(conf)) {
      // One keep-alive connection, as a busy client (or a balancer's backend connection) holds.
      WebClient client = WebClient.wrap(vertx.createHttpClient(new HttpClientOptions().setKeepAlive(true)
          .setDefaultHost("127.0.0.1").setDefaultPort(port), new PoolOptions().setHttp1MaxSize(1)),
          new WebClientOptions());
      Await.until("the node to answer", Duration.ofSeconds(60), () -> {
        try {
          return client.get("/health/live").send().await().statusCode() == 200;
        } catch (Exception e) {
          return false;
        }
      });
      HttpResponse<Buffer> before = Await.result(client.get("/v1/users/1").send());
      assertEquals(404, before.statusCode());
      assertTrue(before.getHeader("Connection") == null || !before.getHeader("Connection").equals("close"),
          "a serving node keeps connections open");

      node.terminate();
      Await.until("readiness to fail", Duration.ofSeconds(10), () ->
          Await.result(client.get("/health/ready").send()).statusCode() == 503);
      HttpResponse<Buffer> ready = Await.result(client.get("/health/ready").send());
      assertEquals("draining", ready.bodyAsJsonObject().getString("status"));
      assertEquals("close", ready.getHeader("Connection"));

      // The node still serves while balancers notice; each response closes its connection, and the next
      // request (on a new connection) is answered too.
      for (int i = 0; i < 5; i++) {
        HttpResponse<Buffer> r = Await.result(client.get("/v1/users/" + (2 + i)).send());
        assertEquals(404, r.statusCode(), "still served during the drain");
        assertEquals("close", r.getHeader("Connection"), "and the client is told to reconnect");
      }
      assertEquals(0, node.awaitExit(30), node.output());
      assertTrue(node.output().contains("draining"), node.output());
    } finally {
      vertx.close().await();
      LocalPostgres.drop(dbs);
    }
  }
}
