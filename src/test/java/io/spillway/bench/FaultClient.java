package io.spillway.bench;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * The client side of {@code bench/faults.sh}: what a user of the API sees while faults are injected.
 *
 * <ul>
 *   <li>{@code posts <port> <token> <count> <inFlight> <progressFile>}: {@code count} {@code POST /v1/posts},
 *   each with its own Idempotency-Key, {@code inFlight} at a time; every failure (refused, reset, any
 *   non-2xx) is retried with the same key and body every 100 ms. Writes how many were answered to {@code
 *   progressFile} as it goes; prints the keys answered, the attempts, the status codes seen, and the longest
 *   time one key went unanswered (its first failure to its 2xx).</li>
 *   <li>{@code load <port> <concurrency> <seconds> <pathsFile> [tokensFile]}: closed-loop keep-alive requests,
 *   one connection per worker, over the lines of {@code pathsFile} ({@code group path} for a GET, {@code group
 *   POST path} for a JSON post); with {@code tokensFile} (one JWT per line) worker {@code w} sends the
 *   {@code w}-th token. Prints, per group, the status codes, the connection errors, whether each 503 carried
 *   Retry-After, and the 2xx per second. It runs {@code seconds}, or less when the file named by the system
 *   property {@code load.until} appears.</li>
 * </ul>
 */
public final class FaultClient {
  public static void main(String[] args) throws Exception {
    Vertx vertx = Vertx.vertx();
    try {
      switch (args[0]) {
        case "posts" -> posts(vertx, Integer.parseInt(args[1]), args[2], Integer.parseInt(args[3]),
            Integer.parseInt(args[4]), Path.of(args[5]));
        case "load" -> load(vertx, Integer.parseInt(args[1]), Integer.parseInt(args[2]), Integer.parseInt(args[3]),
            Path.of(args[4]), args.length > 5 ? Files.readAllLines(Path.of(args[5])) : List.of());
        default -> throw new IllegalArgumentException("mode: posts or load");
      }
    } finally {
      vertx.close().await(10, TimeUnit.SECONDS);
    }
  }

  // --- posts ---

  private static void posts(Vertx vertx, int port, String token, int count, int inFlight, Path progress)
      throws Exception {
    WebClient client = WebClient.create(vertx, new WebClientOptions().setDefaultHost("127.0.0.1").setDefaultPort(port)
        .setConnectTimeout(1000), new PoolOptions().setHttp1MaxSize(inFlight));
    AtomicInteger next = new AtomicInteger();
    AtomicInteger answered = new AtomicInteger();
    AtomicInteger attempts = new AtomicInteger();
    AtomicLong longestGapMs = new AtomicLong();
    Map<String, LongAdder> codes = new ConcurrentHashMap<>();
    Promise<Void> done = Promise.promise();
    AtomicInteger workers = new AtomicInteger(inFlight);
    long started = System.nanoTime();
    for (int w = 0; w < inFlight; w++) {
      vertx.runOnContext(v -> postNext(vertx, client, token, count, next, answered, attempts, longestGapMs, codes,
          progress, workers, done));
    }
    done.future().await(600, TimeUnit.SECONDS);
    System.out.printf(Locale.ROOT, "posts: %d of %d keys answered 2xx, %d attempts, codes %s, longest a key went "
            + "unanswered %d ms, %.1f s in all%n", answered.get(), count, attempts.get(), sorted(codes),
        longestGapMs.get(), (System.nanoTime() - started) / 1e9);
  }

  private static void postNext(Vertx vertx, WebClient client, String token, int count, AtomicInteger next,
                               AtomicInteger answered, AtomicInteger attempts, AtomicLong longestGapMs,
                               Map<String, LongAdder> codes, Path progress, AtomicInteger workers, Promise<Void> done) {
    int n = next.getAndIncrement();
    if (n >= count) {
      if (workers.decrementAndGet() == 0) {
        done.tryComplete();
      }
      return;
    }
    String key = "fault-" + ProcessHandle.current().pid() + "-" + n;
    JsonObject body = new JsonObject().put("text", "fault post " + n);
    attempt(vertx, client, token, key, body, attempts, codes, -1, 0).onComplete(ar -> {
      if (ar.succeeded()) {
        longestGapMs.accumulateAndGet(ar.result(), Math::max);
        int a = answered.incrementAndGet();
        try {
          Files.writeString(progress, Integer.toString(a));
        } catch (Exception ignored) {
          // Progress is a hint for the script.
        }
      }
      postNext(vertx, client, token, count, next, answered, attempts, longestGapMs, codes, progress, workers, done);
    });
  }

  /** Posts until a 2xx; the result is how long the key went unanswered after its first failure (0: none). */
  private static Future<Long> attempt(Vertx vertx, WebClient client, String token, String key, JsonObject body,
                                      AtomicInteger attempts, Map<String, LongAdder> codes, long firstFailure,
                                      int tries) {
    if (tries > 3000) {
      return Future.failedFuture("never answered");
    }
    attempts.incrementAndGet();
    return client.post("/v1/posts").putHeader("Authorization", "Bearer " + token).putHeader("Idempotency-Key", key)
        .timeout(10_000).sendJsonObject(body)
        .transform(ar -> {
          String code = ar.succeeded() ? Integer.toString(ar.result().statusCode()) : "error";
          codes.computeIfAbsent(code, k -> new LongAdder()).increment();
          if (ar.succeeded() && ar.result().statusCode() / 100 == 2) {
            return Future.succeededFuture(firstFailure < 0 ? 0L : (System.nanoTime() - firstFailure) / 1_000_000);
          }
          long first = firstFailure < 0 ? System.nanoTime() : firstFailure;
          return vertx.timer(100).compose(t -> attempt(vertx, client, token, key, body, attempts, codes, first, tries + 1));
        });
  }

  // --- load ---

  private record Target(String group, boolean post, String path) {}

  private static final class Group {
    final Map<String, LongAdder> codes = new ConcurrentHashMap<>();
    final LongAdder without503RetryAfter = new LongAdder();
    final Map<Long, LongAdder> okPerSecond = new ConcurrentHashMap<>();
  }

  private static void load(Vertx vertx, int port, int concurrency, int seconds, Path pathsFile, List<String> tokens)
      throws Exception {
    List<Target> targets = new ArrayList<>();
    for (String line : Files.readAllLines(pathsFile)) {
      String[] parts = line.trim().split("\\s+");
      if (parts.length == 2) {
        targets.add(new Target(parts[0], false, parts[1]));
      } else if (parts.length == 3 && parts[1].equals("POST")) {
        targets.add(new Target(parts[0], true, parts[2]));
      }
    }
    Map<String, Group> groups = new TreeMap<>();
    targets.forEach(t -> groups.computeIfAbsent(t.group(), g -> new Group()));
    long start = System.nanoTime();
    AtomicLong end = new AtomicLong(start + TimeUnit.SECONDS.toNanos(seconds));
    String until = System.getProperty("load.until");
    if (until != null) {
      vertx.setPeriodic(200, t -> {
        if (Files.exists(Path.of(until))) {
          end.accumulateAndGet(System.nanoTime(), Math::min);
        }
      });
    }
    List<Future<Void>> all = new ArrayList<>();
    for (int w = 0; w < concurrency; w++) {
      // One connection per worker, kept alive, as a busy client (or a balancer's backend connection) holds.
      WebClient client = WebClient.create(vertx, new WebClientOptions().setDefaultHost("127.0.0.1").setDefaultPort(port)
          .setKeepAlive(true).setConnectTimeout(1000), new PoolOptions().setHttp1MaxSize(1));
      Promise<Void> p = Promise.promise();
      int offset = w;
      String bearer = tokens.isEmpty() ? null : "Bearer " + tokens.get(w % tokens.size());
      vertx.runOnContext(v -> loop(vertx, client, bearer, targets, groups, offset, start, end, p));
      all.add(p.future());
    }
    Future.all(all).await(seconds + 60L, TimeUnit.SECONDS);
    long ran = TimeUnit.NANOSECONDS.toSeconds(end.get() - start);
    for (Map.Entry<String, Group> e : groups.entrySet()) {
      Group g = e.getValue();
      long total = g.codes.values().stream().mapToLong(LongAdder::sum).sum();
      long ok = g.codes.entrySet().stream().filter(c -> c.getKey().startsWith("2")).mapToLong(c -> c.getValue().sum()).sum();
      StringBuilder perSecond = new StringBuilder();
      for (long s = 0; s < ran; s++) {
        LongAdder a = g.okPerSecond.get(s);
        perSecond.append(s == 0 ? "" : ",").append(a == null ? 0 : a.sum());
      }
      System.out.printf(Locale.ROOT, "load %s: %d requests, %d 2xx, %d not 2xx or failed, codes %s, 503 without "
              + "Retry-After %d, 2xx per second [%s]%n", e.getKey(), total, ok, total - ok, sorted(g.codes),
          g.without503RetryAfter.sum(), perSecond);
    }
  }

  private static void loop(Vertx vertx, WebClient client, String bearer, List<Target> targets,
                           Map<String, Group> groups, int i, long start, AtomicLong end, Promise<Void> done) {
    if (System.nanoTime() >= end.get()) {
      done.tryComplete();
      return;
    }
    Target t = targets.get(i % targets.size());
    Group g = groups.get(t.group());
    HttpRequest<Buffer> request = (t.post() ? client.post(t.path()) : client.get(t.path())).timeout(10_000);
    if (bearer != null) {
      request.putHeader("Authorization", bearer);
    }
    Future<HttpResponse<Buffer>> sent = t.post()
        ? request.sendJsonObject(new JsonObject().put("text", "load post " + i)) : request.send();
    sent.onComplete(ar -> {
      String code;
      if (ar.succeeded()) {
        HttpResponse<Buffer> r = ar.result();
        code = Integer.toString(r.statusCode());
        if (r.statusCode() == 503 && r.getHeader("Retry-After") == null) {
          g.without503RetryAfter.increment();
        }
        if (r.statusCode() / 100 == 2) {
          g.okPerSecond.computeIfAbsent((System.nanoTime() - start) / 1_000_000_000L, s -> new LongAdder()).increment();
        }
      } else {
        code = "error";
      }
      g.codes.computeIfAbsent(code, k -> new LongAdder()).increment();
      if (ar.failed()) {
        // A refused or reset connection: a real client backs off a little before it tries again.
        vertx.setTimer(50, x -> loop(vertx, client, bearer, targets, groups, i + 1, start, end, done));
      } else {
        loop(vertx, client, bearer, targets, groups, i + 1, start, end, done);
      }
    });
  }

  private static String sorted(Map<String, LongAdder> codes) {
    Map<String, Long> out = new TreeMap<>();
    codes.forEach((k, v) -> out.put(k, v.sum()));
    return out.toString();
  }
}
