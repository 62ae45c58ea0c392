package io.spillway.push;

import io.spillway.config.JwtConfig;
import io.spillway.testkit.ApiClient;
import io.spillway.testkit.Await;
import io.spillway.testkit.SpillwayApp;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.UpgradeRejectedException;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Who may hold a WebSocket, for how long, and how many: single-use tickets instead of tokens in URLs, sockets
 * closed when their token expires unless renewed, caps per user and per address, limited upgrades.
 */
class StreamAuthTest {
  @RegisterExtension
  static SpillwayApp app = SpillwayApp.create().withoutKafka().shards(1).configure(tree -> {
    tree.getJsonObject("jwt").put("leewaySeconds", 0);
    tree.getJsonObject("stream").put("ticketTtlSeconds", 2).put("maxConnectionsPerUser", 3).put("maxConnectionsPerAddress", 5);
    tree.put("limits", new JsonObject().put("policies", new JsonArray().add(new JsonObject().put("name", "stream-connects")
        .put("algorithm", "fixed-window").put("limit", 12).put("windowSeconds", 3600).put("key", new JsonArray().add("ip"))
        .put("routes", new JsonArray().add(new JsonObject().put("path", "/v1/stream"))))));
  });

  /** A socket and what it received. */
  private record Socket(WebSocket ws, List<JsonObject> frames, Future<Short> closed) {
    JsonObject await(String op) {
      return Await.untilPresent("a " + op + " frame", Duration.ofSeconds(20),
          () -> frames.stream().filter(f -> op.equals(f.getString("op"))).findFirst().orElse(null));
    }
  }

  private static String ticket(String token) {
    HttpResponse<Buffer> r = Await.result(app.client().post("/v1/stream/ticket")
        .putHeader("Authorization", "Bearer " + token).send());
    assertEquals(201, r.statusCode(), r.bodyAsString());
    assertEquals("no-store", r.getHeader("Cache-Control"));
    return r.bodyAsJsonObject().getString("ticket");
  }

  /**
   * One client for the class, held here: a client made per call and kept by nobody may be closed by Vert.x's
   * cleaner while its handshake is under way, which the test would read as a failed handshake.
   */
  private static WebSocketClient sockets;

  private static Future<WebSocket> connect(String uri, String from) {
    if (sockets == null) {
      sockets = app.clientVertx().createWebSocketClient();
    }
    return sockets.connect(new WebSocketConnectOptions().setHost("127.0.0.1").setPort(app.port()).setURI(uri)
        .addHeader("X-Forwarded-For", from));
  }

  private static Socket open(String ticket, String from) {
    WebSocket ws = Await.result(connect("/v1/stream?ticket=" + ticket, from));
    List<JsonObject> frames = new CopyOnWriteArrayList<>();
    ws.textMessageHandler(t -> frames.add(new JsonObject(t)));
    io.vertx.core.Promise<Short> closed = io.vertx.core.Promise.promise();
    ws.closeHandler(v -> closed.tryComplete(ws.closeStatusCode()));
    return new Socket(ws, frames, closed.future());
  }

  private static int refusal(String uri, String from) {
    Throwable err = assertThrows(Exception.class, () -> connect(uri, from).await(20, TimeUnit.SECONDS));
    return assertInstanceOf(UpgradeRejectedException.class, err).getStatus();
  }

  @Test
  void aTicketOpensOneSocketOnceAndATokenInTheUrlIsRefused() {
    ApiClient.User u = new ApiClient(app.client()).newUser("ticketed");
    String ticket = ticket(u.token());
    Socket s = open(ticket, "192.0.2.10");
    s.ws().writeTextMessage(new JsonObject().put("op", "ping").encode());
    s.await("pong");
    assertEquals(401, refusal("/v1/stream?ticket=" + ticket, "192.0.2.10"), "a ticket is spent once");
    assertEquals(401, refusal("/v1/stream?access_token=" + u.token(), "192.0.2.10"), "tokens stay out of URLs");
    String stale = ticket(u.token());
    long issued = System.currentTimeMillis();
    Await.until("the ticket's 2 s to pass", Duration.ofSeconds(10), () -> System.currentTimeMillis() > issued + 2500);
    assertEquals(401, refusal("/v1/stream?ticket=" + stale, "192.0.2.10"), "an unspent ticket expires");
    s.ws().close();
  }

  @Test
  void aSocketIsClosedWhenItsTokenExpiresUnlessAFreshOneCame() {
    ApiClient.User u = new ApiClient(app.client()).newUser("expiring");
    long exp = System.currentTimeMillis() / 1000 + 3;
    Socket expiring = open(ticket(token(u.id(), exp)), "192.0.2.20");
    Socket renewed = open(ticket(token(u.id(), exp)), "192.0.2.20");
    renewed.ws().writeTextMessage(new JsonObject().put("op", "auth").put("token", token(u.id(), exp + 600)).encode());
    assertTrue(renewed.await("authenticated").getString("expiresAt").startsWith("20"));
    ApiClient.User other = new ApiClient(app.client()).newUser("other");
    renewed.ws().writeTextMessage(new JsonObject().put("op", "auth").put("token", other.token()).encode());
    assertEquals("unauthorized", renewed.await("error").getString("code"), "a token of another user is refused");

    assertEquals((short) 4401, Await.result(expiring.closed()), "closed at expiry, asking for a fresh token");
    Await.until("the first token's expiry to pass", Duration.ofSeconds(10),
        () -> System.currentTimeMillis() > exp * 1000 + 1500);
    int before = renewed.frames().size();
    renewed.ws().writeTextMessage(new JsonObject().put("op", "ping").encode());
    Await.until("a pong on the renewed socket", Duration.ofSeconds(10),
        () -> renewed.frames().stream().skip(before).anyMatch(f -> "pong".equals(f.getString("op"))));
    renewed.ws().close();
  }

  @Test
  void eachUserAndEachAddressHoldsAFewSockets() {
    ApiClient api = new ApiClient(app.client());
    ApiClient.User a = api.newUser("hoarder");
    ApiClient.User b = api.newUser("neighbour");
    List<Socket> open = new ArrayList<>();
    try {
      for (int i = 0; i < 3; i++) {
        open.add(open(ticket(a.token()), "192.0.2.30"));
      }
      assertEquals(429, refusal("/v1/stream?ticket=" + ticket(a.token()), "192.0.2.31"), "a fourth socket for one user");
      open.add(open(ticket(b.token()), "192.0.2.30"));
      open.add(open(ticket(b.token()), "192.0.2.30"));
      assertEquals(429, refusal("/v1/stream?ticket=" + ticket(b.token()), "192.0.2.30"), "a sixth socket for one address");
      open.remove(0).ws().close();
      Await.until("a freed place", Duration.ofSeconds(10), () -> {
        try {
          open.add(open(ticket(a.token()), "192.0.2.32"));
          return true;
        } catch (AssertionError e) {
          return false;
        }
      });
    } finally {
      open.forEach(s -> s.ws().close());
    }
  }

  @Test
  void upgradesAreLimitedByAddressBeforeTheyAreChecked() {
    int refusedByLimit = 0;
    for (int i = 0; i < 15; i++) {
      int status = refusal("/v1/stream?ticket=" + "x".repeat(43), "198.51.100.99");
      assertTrue(status == 401 || status == 429, "status " + status);
      refusedByLimit += status == 429 ? 1 : 0;
    }
    assertEquals(3, refusedByLimit, "12 upgrades per address, then 429");
  }

  /** An HS256 token of the test config for {@code sub}, expiring at {@code exp} (epoch seconds). */
  private static String token(String sub, long exp) {
    Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
    String input = b64.encodeToString(new JsonObject().put("alg", "HS256").put("typ", "JWT").encode().getBytes(StandardCharsets.UTF_8))
        + "." + b64.encodeToString(new JsonObject().put("sub", sub).put("iss", "spillway").put("aud", "spillway-api")
        .put("exp", exp).encode().getBytes(StandardCharsets.UTF_8));
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(JwtConfig.SAMPLE_SECRET.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
      return input + "." + b64.encodeToString(mac.doFinal(input.getBytes(StandardCharsets.US_ASCII)));
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }
}
