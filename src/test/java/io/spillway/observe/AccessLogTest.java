package io.spillway.observe;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.spillway.config.ShedConfig;
import io.spillway.shed.LoadShedHandler;
import io.spillway.shed.LoadShedder;
import io.spillway.testkit.AccessLogCapture;
import io.spillway.testkit.Await;
import io.spillway.testkit.Ports;
import io.spillway.testkit.ShippedConfig;
import io.spillway.web.Problem;
import io.spillway.web.Problems;
import io.spillway.web.RequestIds;
import io.spillway.web.RouteTemplates;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What the access log writes, on a real HTTP server with the access log and the shedder in front of a few
 * routes whose answers the test controls: at sample rate 0, server errors and slow requests are still
 * written, successes and shed rejections are not.
 */
class AccessLogTest {
  private static final long SLOW_MS = 200;

  private final Vertx vertx = Vertx.vertx();
  private final int port = Ports.free();
  private final AtomicReference<Promise<Void>> held = new AtomicReference<>();
  private WebClient client;

  @AfterEach
  void close() {
    Promise<Void> h = held.get();
    if (h != null) {
      h.tryComplete();
    }
    vertx.close().await();
  }

  /** The server: request ids, the access log, a shedder that admits one request at a time, the routes. */
  private final class Server extends VerticleBase {
    private final double sampleRate;

    Server(double sampleRate) {
      this.sampleRate = sampleRate;
    }

    @Override
    public Future<?> start() {
      ShedConfig shed = ShedConfig.from(ShippedConfig.section("shed", new JsonObject("""
          {"algorithm": "fixed", "initialLimit": 1, "minLimit": 1, "maxLimit": 1, "criticalReserve": 0,
           "maxQueueMs": 0, "maxQueueLength": 0, "eventLoopLagMs": 0,
           "routes": [{"priority": "normal", "path": "/ok"}]}""")));
      Router router = Router.router(vertx);
      router.route().handler(new RequestIds());
      router.route().handler(new AccessLog(sampleRate, SLOW_MS));
      router.route().handler(new LoadShedHandler(LoadShedder.create(vertx, shed, new SimpleMeterRegistry())));
      router.get("/ok").handler(ctx -> ctx.response().end("ok"));
      RouteTemplates.named(router.get("/fail"), "/fail").handler(ctx -> ctx.fail(new IllegalStateException("broken on purpose")));
      router.get("/unavailable").handler(ctx -> Problems.send(ctx, Problem.unavailable("down for the test")));
      router.get("/slow").handler(ctx -> vertx.setTimer(SLOW_MS + 100, t -> ctx.response().end("late")));
      router.get("/hold").handler(ctx -> {
        Promise<Void> p = Promise.promise();
        held.set(p);
        p.future().onComplete(v -> ctx.response().end("released"));
      });
      router.errorHandler(500, Problems::handleFailure);
      return vertx.createHttpServer().requestHandler(router).listen(port, "127.0.0.1");
    }
  }

  private void start(double sampleRate) {
    Await.result(vertx.deployVerticle(new Server(sampleRate)));
    client = WebClient.create(vertx, new WebClientOptions().setDefaultHost("127.0.0.1").setDefaultPort(port));
  }

  private HttpResponse<Buffer> get(String path, String requestId) {
    return Await.result(client.get(path).putHeader("X-Request-Id", requestId).send());
  }

  @Test
  void atSampleRateZeroServerErrorsAndSlowRequestsAreStillWritten() {
    start(0.0);
    try (AccessLogCapture log = AccessLogCapture.of(AccessLog.LOGGER)) {
      assertEquals(200, get("/ok", "quiet").statusCode());
      assertEquals(500, get("/fail", "failed").statusCode());
      assertEquals(503, get("/unavailable", "unavailable").statusCode());
      assertEquals(200, get("/slow", "slow").statusCode());

      JsonObject failed = Await.untilPresent("the 500's line", Duration.ofSeconds(5),
          () -> log.forRequest("failed").orElse(null));
      assertEquals(500, failed.getInteger("status"));
      assertEquals("WARN", failed.getString("level"));
      assertEquals("/fail", failed.getString("route"));
      assertEquals("127.0.0.1", failed.getString("client"));
      assertEquals(503, log.forRequest("unavailable").orElseThrow().getInteger("status"),
          "a 503 that is not a shed rejection is a server error like any other");
      JsonObject slow = Await.untilPresent("the slow request's line", Duration.ofSeconds(5),
          () -> log.forRequest("slow").orElse(null));
      assertEquals("INFO", slow.getString("level"));
      assertTrue(slow.getDouble("durationMs") >= SLOW_MS, slow.encode());
      assertEquals(List.of("failed", "unavailable", "slow"), requestIds(log),
          "the fast success was not sampled");
    }
  }

  @Test
  void shedRejectionsAreSampledNotAlwaysWritten() {
    start(0.0);
    try (AccessLogCapture log = AccessLogCapture.of(AccessLog.LOGGER)) {
      Future<HttpResponse<Buffer>> holding = client.get("/hold").putHeader("X-Request-Id", "holding").send();
      Await.until("the one slot to be taken", Duration.ofSeconds(5), () -> held.get() != null);
      HttpResponse<Buffer> shed = get("/ok", "shed");
      assertEquals(503, shed.statusCode());
      assertTrue(shed.bodyAsJsonObject().getString("type").endsWith("/overloaded"), shed.bodyAsString());
      held.get().complete();
      assertEquals(200, Await.result(holding).statusCode());
      assertEquals(500, get("/fail", "after").statusCode());

      // The 500 after it is written, so the rejection's line would be there by now: it was not written.
      Await.until("the 500's line", Duration.ofSeconds(5), () -> log.forRequest("after").isPresent());
      assertFalse(requestIds(log).contains("shed"), "a shed rejection was written: " + log.lines());
    }
  }

  @Test
  void aShedRejectionNamesTheRuleThatShedItNotUnmatched() {
    start(1.0);
    try (AccessLogCapture log = AccessLogCapture.of(AccessLog.LOGGER)) {
      Future<HttpResponse<Buffer>> holding = client.get("/hold").putHeader("X-Request-Id", "holding").send();
      Await.until("the one slot to be taken", Duration.ofSeconds(5), () -> held.get() != null);
      assertEquals(503, get("/ok", "shed").statusCode());
      held.get().complete();
      Await.result(holding);
      Await.until("the rejection's line", Duration.ofSeconds(5), () -> log.forRequest("shed").isPresent());
      assertEquals("shed:/ok", log.forRequest("shed").orElseThrow().getString("route"));
    }
  }

  @Test
  void atSampleRateOneEveryRequestIsWritten() {
    start(1.0);
    try (AccessLogCapture log = AccessLogCapture.of(AccessLog.LOGGER)) {
      get("/ok", "one");
      get("/ok", "two");
      Await.until("both lines", Duration.ofSeconds(5), () -> log.lines().size() == 2);
      JsonObject one = log.forRequest("one").orElseThrow();
      assertEquals("INFO", one.getString("level"));
      assertEquals("spillway.access", one.getString("logger"));
      assertEquals("GET /ok 200", one.getString("message"));
      assertEquals(2, one.getLong("bytes"));
      assertEquals(List.of("one", "two"), requestIds(log));
    }
  }

  private static List<String> requestIds(AccessLogCapture log) {
    return log.json().stream().map(l -> l.getString("requestId")).toList();
  }
}
