package io.spillway.server;

import io.spillway.config.AppConfig;
import io.spillway.auth.JwtTokens;
import io.spillway.testkit.Await;
import io.spillway.testkit.LocalPostgres;
import io.spillway.testkit.NodeProcess;
import io.spillway.testkit.SpillwayApp;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** SIGTERM on a real node process: in-flight requests finish, WebSockets get 1001, the process exits 0. */
class GracefulShutdownTest {
  @Test
  void sigtermClosesWebSocketsWith1001AndExitsZero() throws Exception {
    List<String> dbs = List.of("spillway_shutdown_0", "spillway_shutdown_1");
    LocalPostgres.create(dbs);
    JsonObject conf = SpillwayApp.testConfig(dbs, 12, "");
    int port = conf.getJsonObject("http").getInteger("port");
    Vertx vertx = Vertx.vertx();
    try (NodeProcess node = NodeProcess.start(conf)) {
      WebClient client = WebClient.create(vertx);
      Await.until("the node to answer", Duration.ofSeconds(60), () -> {
        try {
          return client.get(port, "127.0.0.1", "/health/live").send().await().statusCode() == 200;
        } catch (Exception e) {
          return false;
        }
      });
      String token = new JwtTokens(vertx, AppConfig.from(conf).jwt()).issue("1", null);
      // Both clients are held until the end: one kept by nobody may be closed by Vert.x's cleaner mid-test.
      WebSocketClient sockets = vertx.createWebSocketClient();
      WebSocket ws = Await.result(sockets.connect(new WebSocketConnectOptions()
          .setHost("127.0.0.1").setPort(port).setURI("/v1/stream").addHeader("Authorization", "Bearer " + token)));
      Promise<Short> closed = Promise.promise();
      ws.closeHandler(v -> closed.tryComplete(ws.closeStatusCode()));
      Promise<String> pong = Promise.promise();
      ws.textMessageHandler(pong::tryComplete);
      ws.writeTextMessage("{\"op\":\"ping\"}");
      assertEquals("{\"op\":\"pong\"}", Await.result(pong.future()));

      // An in-flight request: the server has its headers (it answered 100-continue), not yet its body.
      HttpClient http = vertx.createHttpClient();
      HttpClientRequest signUp = Await.result(http.request(new RequestOptions()
          .setMethod(HttpMethod.POST).setHost("127.0.0.1").setPort(port).setURI("/v1/users")));
      Buffer body = new JsonObject().put("email", "inflight@example.com").put("name", "In Flight")
          .put("password", "long enough").toBuffer();
      Promise<Void> serverHasHeaders = Promise.promise();
      signUp.putHeader("Content-Type", "application/json").putHeader("Content-Length", "" + body.length())
          .putHeader("Expect", "100-continue").continueHandler(v -> serverHasHeaders.tryComplete());
      Await.result(signUp.sendHead());
      Await.result(serverHasHeaders.future());

      node.terminate();
      assertEquals((short) 1001, Await.result(closed.future()), "WebSockets are told the server is going away");
      signUp.end(body);
      // Read the body in the same callback as the response head, or it may arrive before anyone listens.
      JsonObject created = Await.result(signUp.response().compose(response -> response.body()
          .map(b -> new JsonObject().put("status", response.statusCode()).put("body", b.toJsonObject()))));
      assertEquals(201, created.getInteger("status"), "the in-flight request still completes");
      assertEquals("In Flight", created.getJsonObject("body").getString("name"));
      Await.result(sockets.close());
      Await.result(http.close());
      assertEquals(0, node.awaitExit(30), node.output());
    } finally {
      vertx.close().await();
      LocalPostgres.drop(dbs);
    }
  }
}
