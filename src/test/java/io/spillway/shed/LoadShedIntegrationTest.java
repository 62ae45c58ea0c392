package io.spillway.shed;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.spillway.auth.BearerAuth;
import io.spillway.auth.JwtTokens;
import io.spillway.config.JwtConfig;
import io.spillway.config.ShedConfig;
import io.spillway.web.Caller;
import io.spillway.web.Problem;
import io.spillway.web.ProblemType;
import io.spillway.web.RequestIds;
import io.spillway.testkit.Ports;
import io.vertx.core.Context;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetSocket;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import io.vertx.ext.web.handler.BodyHandler;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A real HTTP server (two verticle instances on one port, so two event loops share one shedder) with the
 * shedder at the door, driven over loopback by many concurrent clients. The handlers' latency is in the test's
 * hands: {@code ?hold} keeps a request open until the test lets it go, {@code ?delayMs=N} answers after a
 * timer. The tests assert statuses, headers and counts, never how long anything took.
 */
@ExtendWith(VertxExtension.class)
class LoadShedIntegrationTest {
  private static final String SECRET = "integration-test-secret-of-at-least-32-chars";
  private static final String ROUTES = """
      "routes": [
        {"priority": "normal", "path": "/v1/echo"},
        {"priority": "critical", "path": "/v1/auth/token", "methods": ["POST"]},
        {"priority": "sheddable", "path": "/v1/feed"},
        {"priority": "critical", "path": "/v1/*", "methods": ["POST", "PUT", "PATCH", "DELETE"]}
      ]""";

  private Vertx vertx;
  private PrometheusMeterRegistry registry;
  private LoadShedder shedder;
  private Gate gate;
  private JwtTokens tokens;
  private WebClient client;
  private int port;

  @BeforeEach
  void setUp(Vertx vertx) {
    this.vertx = vertx;
    this.registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    this.gate = new Gate();
    this.tokens = new JwtTokens(vertx, new JwtConfig("HS256", SECRET, List.of(), "", "", "spillway", "spillway-api",
        30, 3600));
    this.port = Ports.free();
    this.client = WebClient.create(vertx,
        new WebClientOptions().setDefaultHost("127.0.0.1").setDefaultPort(port).setKeepAlive(true),
        new PoolOptions().setHttp1MaxSize(400).setMaxWaitQueueSize(-1));
  }

  @AfterEach
  void tearDown() {
    gate.releaseAll();
    client.close();
  }

  /** Fixed limit 10 (2 reserved for critical: 8 for the rest), a queue of 6 waiting at most 1 s. */
  private void start(String overrides) {
    ShedConfig config = Configs.shed("{\"algorithm\":\"fixed\",\"initialLimit\":10,\"minLimit\":1,"
        + "\"criticalReserve\":0.2,\"maxQueueMs\":1000,\"maxQueueLength\":6,\"eventLoopLagMs\":0,"
        + "\"retryAfterSeconds\":3,\"perClient\":{\"enabled\":true,\"maxInFlight\":2}," + ROUTES
        + (overrides.isEmpty() ? "" : "," + overrides) + "}");
    shedder = LoadShedder.create(vertx, config, registry);
    await(vertx.deployVerticle(() -> new Api(shedder, gate, tokens, port), new DeploymentOptions().setInstances(2)));
  }

  /** The application under test: request ids, the shedder at the door, optional auth, the per-client cap. */
  static final class Api extends VerticleBase {
    private final LoadShedder shedder;
    private final Gate gate;
    private final JwtTokens tokens;
    private final int port;
    private HttpServer server;

    Api(LoadShedder shedder, Gate gate, JwtTokens tokens, int port) {
      this.shedder = shedder;
      this.gate = gate;
      this.tokens = tokens;
      this.port = port;
    }

    @Override
    public Future<?> start() {
      Router router = Router.router(vertx);
      router.route().handler(new RequestIds());
      router.route().handler(ctx -> {
        // Stands in for API-key authentication known before the door: the key's owner is the caller.
        String key = ctx.request().getHeader("X-Api-Key");
        if (key != null) {
          Caller.anonymous("127.0.0.1").withApiKey(Math.abs(key.hashCode()) + 1L, key, "free").attach(ctx);
        }
        ctx.next();
      });
      router.route().handler(new LoadShedHandler(shedder));
      router.route().handler(BearerAuth.optional(tokens));
      router.route().handler(new ClientConcurrencyHandler(shedder));
      router.post("/v1/echo").handler(BodyHandler.create());
      router.post("/v1/echo").handler(ctx -> ctx.response().end("bytes=" + ctx.body().length()));
      router.route("/v1/socket").handler(ctx -> ctx.request().toWebSocket()
          .onSuccess(ws -> ws.textMessageHandler(ws::writeTextMessage)));
      router.route("/v1/*").handler(this::respond);
      server = vertx.createHttpServer().requestHandler(router);
      return server.listen(port, "127.0.0.1");
    }

    private void respond(RoutingContext ctx) {
      if (ctx.queryParams().contains("hold")) {
        gate.hold(ctx);
        return;
      }
      String delay = ctx.queryParams().get("delayMs");
      if (delay != null) {
        vertx.setTimer(Long.parseLong(delay), t -> ctx.response().end("ok"));
        return;
      }
      ctx.response().end("ok");
    }
  }

  /** Requests the test keeps open until it lets them go, each answered on its own event loop. */
  static final class Gate {
    private record Held(Context context, RoutingContext ctx) {}

    private final ConcurrentLinkedQueue<Held> held = new ConcurrentLinkedQueue<>();
    private final AtomicInteger arrived = new AtomicInteger();

    void hold(RoutingContext ctx) {
      held.add(new Held(Vertx.currentContext(), ctx));
      arrived.incrementAndGet();
    }

    int arrived() {
      return arrived.get();
    }

    void releaseAll() {
      Held h;
      while ((h = held.poll()) != null) {
        Held next = h;
        next.context().runOnContext(v -> {
          if (!next.ctx().response().closed()) {
            next.ctx().response().end("released");
          }
        });
      }
    }
  }

  @Test
  void atTheLimitSheddableIsRefusedCriticalGetsThroughAndNormalWaitsBoundedly() {
    start("");
    List<Future<HttpResponse<Buffer>>> holders = send(8, () -> client.get("/v1/items?hold"));
    eventually(() -> gate.arrived() == 8);
    assertEquals(8, shedder.inflight());

    // Sheddable: refused at once, politely.
    for (HttpResponse<Buffer> r : awaitAll(send(5, () -> client.get("/v1/feed")))) {
      assertOverloaded(r);
    }
    assertEquals(5.0, rejected("sheddable", "limit"));

    // Critical: the reserve lets sign-ins and writes through while reads are full.
    for (HttpResponse<Buffer> r : awaitAll(send(6, () -> client.post("/v1/auth/token")))) {
      assertEquals(200, r.statusCode());
    }
    for (HttpResponse<Buffer> r : awaitAll(send(6, () -> client.post("/v1/posts")))) {
      assertEquals(200, r.statusCode());
    }

    // Normal: 6 wait (the queue's bound), 4 more are refused at once; no slot frees, so all 6 time out.
    List<HttpResponse<Buffer>> normal = awaitAll(send(10, () -> client.get("/v1/items")));
    normal.forEach(LoadShedIntegrationTest::assertOverloaded);
    assertEquals(4.0, rejected("normal", "queue_full"));
    assertEquals(6.0, rejected("normal", "queue_timeout"));
    assertEquals(0, shedder.queueLength());

    // Waiters get the slots as they free up, and answer normally.
    List<Future<HttpResponse<Buffer>>> waiting = send(3, () -> client.get("/v1/items"));
    eventually(() -> shedder.queueLength() == 3);
    gate.releaseAll();
    awaitAll(holders).forEach(r -> assertEquals(200, r.statusCode()));
    awaitAll(waiting).forEach(r -> assertEquals(200, r.statusCode()));
    eventually(() -> shedder.inflight() == 0);
    assertEquals(6.0, rejected("normal", "queue_timeout"), "nobody else waited too long");

    String scrape = registry.scrape();
    for (String series : List.of("spillway_shed_limit 10.0", "spillway_shed_inflight 0.0",
        "spillway_shed_queue_length 0.0", "spillway_eventloop_lag_seconds",
        "spillway_shed_rejected_total{priority=\"sheddable\",reason=\"limit\"} 5.0",
        "spillway_shed_rejected_total{priority=\"normal\",reason=\"queue_timeout\"} 6.0",
        "spillway_shed_rejected_total{priority=\"critical\",reason=\"client_limit\"} 0.0")) {
      assertTrue(scrape.contains(series), "the scrape should show " + series + ":\n" + scrape);
    }
  }

  @Test
  void manyConcurrentClientsOverloadTheNode() {
    // Reads take longer than anyone may wait for one, so every request that has to queue times out.
    start("\"maxQueueMs\":300,\"maxQueueLength\":40");
    List<String> kinds = new ArrayList<>();
    List<Future<HttpResponse<Buffer>>> responses = new ArrayList<>();
    for (int i = 0; i < 300; i++) {
      String kind = i % 10 == 0 ? "critical" : i % 2 == 0 ? "normal" : "sheddable";
      kinds.add(kind);
      responses.add(switch (kind) {
        case "critical" -> client.post("/v1/posts").send();
        case "normal" -> client.get("/v1/items?delayMs=400").send();
        default -> client.get("/v1/feed?delayMs=400").send();
      });
    }
    List<HttpResponse<Buffer>> results = awaitAll(responses);
    Map<String, Map<Integer, Long>> byKind = new java.util.HashMap<>();
    for (int i = 0; i < results.size(); i++) {
      HttpResponse<Buffer> r = results.get(i);
      byKind.computeIfAbsent(kinds.get(i), k -> new java.util.TreeMap<>()).merge(r.statusCode(), 1L, Long::sum);
      if (r.statusCode() == 503) {
        assertOverloaded(r);
      } else {
        assertEquals(200, r.statusCode(), kinds.get(i) + " request " + i);
      }
    }
    String summary = byKind.toString();
    assertEquals(Map.of(200, 30L), byKind.get("critical"), "every critical request succeeds: " + summary);
    long sheddable503 = byKind.get("sheddable").getOrDefault(503, 0L);
    long normal503 = byKind.get("normal").getOrDefault(503, 0L);
    assertTrue(sheddable503 > 0, "the node was overloaded: " + summary);
    assertEquals((double) sheddable503, rejected("sheddable", "limit"), summary);
    assertEquals((double) normal503, rejected("normal", "queue_full") + rejected("normal", "queue_timeout")
        + rejected("normal", "limit"), "every refused read is accounted for by a reason: " + summary);
    assertTrue(rejected("normal", "queue_timeout") > 0, "reads that waited past maxQueueMs were let go: " + summary);
    assertEquals(0.0, rejected("critical", "queue_timeout") + rejected("critical", "queue_full"));
    eventually(() -> shedder.inflight() == 0 && shedder.queueLength() == 0);
  }

  @Test
  void aClientOverItsInFlightCapGets429() {
    start("");
    String token = tokens.issue("101", new JsonObject());
    List<Future<HttpResponse<Buffer>>> held = new ArrayList<>();
    held.addAll(send(2, () -> client.get("/v1/items?hold").putHeader("X-Api-Key", "k1")));
    held.addAll(send(2, () -> client.get("/v1/items?hold").bearerTokenAuthentication(token)));
    eventually(() -> gate.arrived() == 4);

    HttpResponse<Buffer> byKey = await(client.get("/v1/items").putHeader("X-Api-Key", "k1").send());
    assertEquals(429, byKey.statusCode());
    assertEquals("3", byKey.getHeader("Retry-After"));
    assertEquals(Problem.CONTENT_TYPE, byKey.getHeader("Content-Type"));
    assertEquals(ProblemType.TYPE_BASE + "too-many-concurrent-requests", byKey.bodyAsJsonObject().getString("type"));

    HttpResponse<Buffer> byUser = await(client.get("/v1/items").bearerTokenAuthentication(token).send());
    assertEquals(429, byUser.statusCode(), "a user known only after authentication is capped too");
    assertEquals(2.0, rejected("normal", "client_limit"));

    assertEquals(200, await(client.get("/v1/items").putHeader("X-Api-Key", "k2").send()).statusCode(),
        "other clients are not affected");
    assertEquals(200, await(client.get("/v1/items").send()).statusCode(), "anonymous requests are not capped");

    gate.releaseAll();
    awaitAll(held).forEach(r -> assertEquals(200, r.statusCode()));
    assertEquals(200, await(client.get("/v1/items").putHeader("X-Api-Key", "k1").send()).statusCode(),
        "the client's count came back with its responses");
    assertEquals(200, await(client.get("/v1/items").bearerTokenAuthentication(token).send()).statusCode());
    eventually(() -> shedder.inflight() == 0 && shedder.clients().clients() == 0);
  }

  @Test
  void aClosedConnectionGivesBackItsSlotOrItsPlaceInTheQueue() {
    start("");
    NetSocket holding = rawRequest("/v1/items?hold");
    eventually(() -> gate.arrived() == 1);
    assertEquals(1, shedder.inflight());
    await(holding.close());
    eventually(() -> shedder.inflight() == 0);

    List<Future<HttpResponse<Buffer>>> holders = send(8, () -> client.get("/v1/items?hold"));
    eventually(() -> gate.arrived() == 9);
    NetSocket waiting = rawRequest("/v1/items");
    eventually(() -> shedder.queueLength() == 1);
    await(waiting.close());
    eventually(() -> shedder.queueLength() == 0);
    assertEquals(8, shedder.inflight(), "the request that left the queue took no slot");

    gate.releaseAll();
    awaitAll(holders);
    eventually(() -> shedder.inflight() == 0);
    assertEquals(0.0, rejected("normal", "queue_timeout"), "leaving the queue is not a rejection");
  }

  @Test
  void aRequestBodyArrivesIntactAfterWaitingForASlot() {
    start("");
    List<Future<HttpResponse<Buffer>>> holders = send(8, () -> client.get("/v1/items?hold"));
    eventually(() -> gate.arrived() == 8);
    // /v1/echo is a normal-priority POST (its rule comes before the writes rule), so it has to wait.
    Future<HttpResponse<Buffer>> upload = client.post("/v1/echo").sendBuffer(Buffer.buffer(new byte[200_000]));
    eventually(() -> shedder.queueLength() == 1);
    gate.releaseAll();
    HttpResponse<Buffer> r = await(upload);
    assertEquals(200, r.statusCode());
    assertEquals("bytes=200000", r.bodyAsString());
    awaitAll(holders);
  }

  @Test
  void theLimitFallsWhenTheNodeSlowsDown() {
    start("\"algorithm\":\"gradient2\",\"initialLimit\":20,\"minLimit\":4,\"maxLimit\":40,\"windowMs\":50,"
        + "\"criticalReserve\":0,\"maxQueueMs\":5000,\"maxQueueLength\":1000,\"perClient\":{\"enabled\":false},"
        + "\"warmupMs\":0");
    // 30 clients, each sending its next request when the last one is answered: the node stays busy.
    await(closedLoop(30, 1500, "/v1/items?delayMs=1"));
    int fast = shedder.limit();
    AtomicInteger lowest = new AtomicInteger(fast);
    Future<Void> slow = closedLoop(30, 300, "/v1/items?delayMs=100");
    watchLimit(lowest, slow);
    await(slow);
    assertTrue(lowest.get() < fast, "latency rose a hundredfold: the limit should fall below " + fast
        + ", lowest was " + lowest.get());
    assertTrue(lowest.get() >= 4, "and never below the floor");
  }

  /** {@code clients} concurrent loops sending {@code total} requests between them; fails on any non-200. */
  private Future<Void> closedLoop(int clients, int total, String uri) {
    AtomicInteger left = new AtomicInteger(total);
    List<Future<Void>> loops = new ArrayList<>();
    for (int i = 0; i < clients; i++) {
      Promise<Void> loop = Promise.promise();
      next(uri, left, loop);
      loops.add(loop.future());
    }
    return Future.all(loops).mapEmpty();
  }

  private void next(String uri, AtomicInteger left, Promise<Void> loop) {
    if (left.getAndDecrement() <= 0) {
      loop.tryComplete();
      return;
    }
    client.get(uri).send().onComplete(ar -> {
      if (ar.failed() || ar.result().statusCode() != 200) {
        loop.tryFail(ar.failed() ? ar.cause().toString() : "status " + ar.result().statusCode());
      } else {
        next(uri, left, loop);
      }
    });
  }

  /** Keeps the lowest limit seen until {@code phase} ends. */
  private void watchLimit(AtomicInteger lowest, Future<Void> phase) {
    vertx.setTimer(5, id -> {
      lowest.accumulateAndGet(shedder.limit(), Math::min);
      if (!phase.isComplete()) {
        watchLimit(lowest, phase);
      }
    });
  }

  @Test
  void openWebSocketsDoNotHoldSlots() {
    start("");
    WebSocketClient sockets = vertx.createWebSocketClient();
    List<WebSocket> open = new ArrayList<>();
    for (int i = 0; i < 12; i++) {
      open.add(await(sockets.connect(port, "127.0.0.1", "/v1/socket")));
    }
    assertEquals(0, shedder.inflight(), "12 open sockets on a limit of 10 hold no slot");
    Promise<String> reply = Promise.promise();
    open.get(11).textMessageHandler(reply::tryComplete);
    await(open.get(11).writeTextMessage("ping"));
    String echo = await(reply.future());
    assertEquals("ping", echo);

    List<Future<HttpResponse<Buffer>>> holders = send(8, () -> client.get("/v1/items?hold"));
    eventually(() -> gate.arrived() == 8);
    Future<WebSocket> refused = sockets.connect(port, "127.0.0.1", "/v1/feed");
    assertTrue(awaitFailure(refused).getMessage().contains("503"), "a sheddable handshake is refused when full");
    gate.releaseAll();
    awaitAll(holders);
    open.forEach(WebSocket::close);
    await(sockets.close());
  }

  @Test
  void aConnectionStaysUsableAfterARefusedUploadThatWaited() {
    start("\"maxQueueMs\":100");
    WebClient single = WebClient.create(vertx,
        new WebClientOptions().setDefaultHost("127.0.0.1").setDefaultPort(port).setKeepAlive(true),
        new PoolOptions().setHttp1MaxSize(1));
    List<Future<HttpResponse<Buffer>>> holders = send(8, () -> client.get("/v1/items?hold"));
    eventually(() -> gate.arrived() == 8);
    HttpResponse<Buffer> refused = await(single.post("/v1/echo").sendBuffer(Buffer.buffer(new byte[200_000])));
    assertOverloaded(refused);
    assertEquals(1.0, rejected("normal", "queue_timeout"));
    gate.releaseAll();
    awaitAll(holders);
    HttpResponse<Buffer> next = await(single.post("/v1/echo").sendBuffer(Buffer.buffer(new byte[1000])));
    assertEquals("bytes=1000", next.bodyAsString(), "the same connection carries the next request");
    single.close();
  }

  // --- helpers ---

  private Throwable awaitFailure(Future<?> future) {
    try {
      await(future);
    } catch (RuntimeException e) {
      return e;
    }
    throw new AssertionError("expected a failure");
  }


  private double rejected(String priority, String reason) {
    return registry.get("spillway.shed.rejected").tag("priority", priority).tag("reason", reason).counter().count();
  }

  private static void assertOverloaded(HttpResponse<Buffer> r) {
    assertEquals(503, r.statusCode(), r.bodyAsString());
    assertEquals("3", r.getHeader("Retry-After"));
    assertEquals(Problem.CONTENT_TYPE, r.getHeader("Content-Type"));
    JsonObject problem = r.bodyAsJsonObject();
    assertEquals(ProblemType.TYPE_BASE + "overloaded", problem.getString("type"));
    assertEquals(503, problem.getInteger("status"));
    assertNotNull(problem.getString("requestId"));
  }

  private static List<Future<HttpResponse<Buffer>>> send(int n,
      java.util.function.Supplier<HttpRequest<Buffer>> request) {
    List<Future<HttpResponse<Buffer>>> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      out.add(request.get().send());
    }
    return out;
  }

  private List<HttpResponse<Buffer>> awaitAll(List<Future<HttpResponse<Buffer>>> responses) {
    try {
      await(Future.join(responses));
    } catch (AssertionError e) {
      long pending = responses.stream().filter(f -> !f.isComplete()).count();
      throw new AssertionError(pending + " of " + responses.size() + " responses missing; " + e.getMessage(), e);
    }
    for (Future<HttpResponse<Buffer>> r : responses) {
      if (r.failed()) {
        throw new AssertionError("a request failed: " + r.cause(), r.cause());
      }
    }
    return responses.stream().map(Future::result).collect(Collectors.toList());
  }

  /** Held by the test: a client kept by nobody may be closed by Vert.x's cleaner with its sockets. */
  private NetClient raw;

  private NetSocket rawRequest(String path) {
    if (raw == null) {
      raw = vertx.createNetClient();
    }
    NetSocket socket = await(raw.connect(port, "127.0.0.1"));
    await(socket.write("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"));
    return socket;
  }

  private <T> T await(Future<T> future) {
    try {
      return future.await(30, TimeUnit.SECONDS);
    } catch (java.util.concurrent.TimeoutException e) {
      throw new AssertionError("timed out; the node: " + (shedder == null ? "not started" : shedder.describe()
          + " clients=" + (shedder.clients() == null ? 0 : shedder.clients().clients())), e);
    }
  }

  /** Polls a condition on a Vert.x timer until it holds (bounded by {@link #await}'s timeout). */
  private void eventually(BooleanSupplier condition) {
    Promise<Void> done = Promise.promise();
    poll(condition, done);
    await(done.future());
  }

  // A chain of one-shot timers rather than a periodic one: Vert.x 5.0.7 can throw from cancelTimer when a
  // periodic timer set from a non-Vert.x thread is cancelled in its very first tick.
  private void poll(BooleanSupplier condition, Promise<Void> done) {
    vertx.setTimer(2, id -> {
      if (condition.getAsBoolean()) {
        done.tryComplete();
      } else {
        poll(condition, done);
      }
    });
  }

}
