package io.spillway.bench;

import io.spillway.testkit.Await;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The open-loop generator against a server whose answers are known: every request it sends is counted once,
 * in the outcome the server gave it (2xx, shed, other, error), and the requests it sends are the ones its
 * arguments describe (path ids, tokens, addresses, bodies), so a benchmark's figures mean what they say.
 */
class OpenLoopLoadTest {
  private static final List<String> TOKENS = List.of("token-a", "token-b", "token-c");
  /** A body larger than one read, so an answer's end is found across reads. */
  private static final Buffer BIG = Buffer.buffer("x".repeat(200_000));

  private static Vertx vertx;
  private static int port;
  private static final AtomicInteger OPENED = new AtomicInteger();
  private static final AtomicInteger DROPPED = new AtomicInteger();
  private static final AtomicInteger HANGING = new AtomicInteger();
  /** Connections that carried a request the server never answers, until they close. */
  private static final Set<HttpConnection> HUNG = ConcurrentHashMap.newKeySet();

  @TempDir
  static Path dir;

  @BeforeAll
  static void serve() {
    vertx = Vertx.vertx();
    port = Await.result(vertx.createHttpServer()
        .connectionHandler(c -> OPENED.incrementAndGet())
        .requestHandler(OpenLoopLoadTest::answer)
        .listen(0, "127.0.0.1")).actualPort();
  }

  @AfterAll
  static void stop() {
    vertx.close().await();
  }

  /** A request not as the arguments describe is answered 400 or 401, which the generator counts as other. */
  private static void answer(HttpServerRequest req) {
    String auth = req.getHeader("Authorization");
    int token = auth == null || !auth.startsWith("Bearer ") ? -1 : TOKENS.indexOf(auth.substring(7));
    if (token < 0 || !("10.0.0." + token).equals(req.getHeader("X-Forwarded-For"))) {
      req.response().setStatusCode(401).end();
      return;
    }
    HttpServerResponse resp = req.response();
    String path = req.path();
    if (path.startsWith("/ok/")) {
      int id = Integer.parseInt(path.substring(4));
      resp.setStatusCode(id >= 1 && id <= 50 ? 200 : 400).end(BIG);
    } else if (path.equals("/shed")) {
      resp.setStatusCode(429).end();
    } else if (path.equals("/chunked")) {
      // Three chunks a few milliseconds apart: the answer arrives in pieces, its headers with the first.
      resp.setChunked(true).write("first chunk,");
      vertx.setTimer(3, t -> {
        resp.write(BIG);
        vertx.setTimer(3, u -> resp.end("last chunk"));
      });
    } else if (path.equals("/drop")) {
      DROPPED.incrementAndGet();
      req.connection().close();
    } else if (path.equals("/hang")) {
      HANGING.incrementAndGet();
      HttpConnection c = req.connection();
      HUNG.add(c);
      c.closeHandler(v -> HUNG.remove(c));
    } else if (path.equals("/post")) {
      req.body().onSuccess(body -> {
        boolean json = "application/json".equals(req.getHeader("Content-Type"));
        boolean post = json && new JsonObject(body).getString("text", "").startsWith("open-loop post ");
        resp.setStatusCode(post ? 201 : 400).end();
      });
    } else {
      resp.setStatusCode(404).end();
    }
  }

  private static OpenLoopLoad load(String mix, String... more) throws Exception {
    Path tokens = Files.write(dir.resolve("tokens.txt"), TOKENS);
    Path ids = Files.write(dir.resolve("ids.txt"), IntStream.rangeClosed(1, 50).mapToObj(String::valueOf).toList());
    Map<String, String> args = new LinkedHashMap<>(Map.of("port", String.valueOf(port), "mix", mix,
        "tokens", tokens.toString(), "ids", ids.toString(), "addresses", "true"));
    StringBuilder slo = new StringBuilder();
    for (String route : mix.split(",")) {
      slo.append(slo.isEmpty() ? "" : ",").append(route.split(":")[0]).append(":10000");
    }
    args.put("slo", slo.toString());
    for (String kv : more) {
      args.put(kv.substring(0, kv.indexOf('=')), kv.substring(kv.indexOf('=') + 1));
    }
    return new OpenLoopLoad(args);
  }

  private static void assertAddsUp(OpenLoopLoad.Stats s, String cls) {
    assertTrue(s.sent > 0, cls + ": nothing sent");
    assertEquals(s.sent, s.ok.size() + s.shed + s.other + s.errors, cls + ": every request counted once");
  }

  @Test
  void everyRequestIsCountedOnceInTheOutcomeTheServerGaveIt() throws Exception {
    int openedBefore = OPENED.get();
    int droppedBefore = DROPPED.get();
    OpenLoopLoad.Result r;
    try (OpenLoopLoad load = load("ok:2:GET:/ok/{id},shed:1:GET:/shed,chunked:1:GET:/chunked,dropped:1:GET:/drop,"
        + "post:1:POST:/post", "connections=16")) {
      r = load.run(350, 0.5, 2);
    }
    // The warm-up's requests are sent but not counted: 350/s for 2 s are.
    assertEquals(700, r.all.sent);
    long sum = 0;
    for (var e : r.byClass.entrySet()) {
      assertAddsUp(e.getValue(), e.getKey());
      sum += e.getValue().sent;
    }
    assertEquals(r.all.sent, sum);
    assertAddsUp(r.all, "all");

    OpenLoopLoad.Stats ok = r.byClass.get("ok");
    assertEquals(ok.sent, ok.ok.size(), "200 with a Content-Length body");
    assertTrue(ok.ok.percentile(50) > 0, "latencies measured");
    assertEquals(ok.sent, ok.good, "within the objective");
    OpenLoopLoad.Stats chunked = r.byClass.get("chunked");
    assertEquals(chunked.sent, chunked.ok.size(), "a chunked 200 in pieces is a 2xx answer");
    // Each took at least the server's two 3 ms pauses: the end of the answer is its last chunk, not its first.
    assertTrue(chunked.ok.percentile(0) >= 6, "chunked answers end at their last chunk: " + chunked.ok.percentile(0));
    OpenLoopLoad.Stats post = r.byClass.get("post");
    assertEquals(post.sent, post.ok.size(), "POST bodies are JSON, with their Content-Type and length");
    OpenLoopLoad.Stats shed = r.byClass.get("shed");
    assertEquals(shed.sent, shed.shed, "429 is shed");
    OpenLoopLoad.Stats dropped = r.byClass.get("dropped");
    assertEquals(dropped.sent, dropped.errors, "a connection closed without an answer is an error");
    assertEquals(dropped.sent, r.all.errors);
    assertEquals(0, r.all.other, "the server found every request as the arguments describe");

    // Keep-alive: beyond the 16 the pool may hold, a new connection only replaces one the server closed.
    int opened = OPENED.get() - openedBefore;
    int closedByServer = DROPPED.get() - droppedBefore;
    assertTrue(opened <= closedByServer + 16, opened + " connections for " + closedByServer + " dropped");
  }

  @Test
  void aRequestWithoutAnAnswerFailsAtItsTimeoutAndItsConnectionCloses() throws Exception {
    OpenLoopLoad.Result r;
    long t0 = System.nanoTime();
    try (OpenLoopLoad load = load("hung:1:GET:/hang,ok:1:GET:/ok/{id}", "timeout=1500")) {
      r = load.run(40, 0, 0.5);
    }
    double seconds = (System.nanoTime() - t0) / 1e9;
    OpenLoopLoad.Stats hung = r.byClass.get("hung");
    OpenLoopLoad.Stats ok = r.byClass.get("ok");
    assertAddsUp(hung, "hung");
    assertEquals(hung.sent, hung.errors, "no answer within the timeout is an error");
    assertEquals(ok.sent, ok.ok.size(), "answered requests beside them are not held up");
    // The last hung request went out at 0.45 s: the run ends when its 1.5 s are up, not before.
    assertTrue(seconds >= 1.9, "the run waits out the last request's timeout: " + seconds + " s");
    assertEquals(hung.sent, HANGING.get(), "the server had every one of them");
    Await.until("the generator to close every connection whose request timed out", Duration.ofSeconds(5), HUNG::isEmpty);
  }
}
