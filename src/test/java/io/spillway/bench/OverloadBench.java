package io.spillway.bench;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Open-loop load with mixed priorities against a running node: critical {@code POST /v1/posts}, normal
 * {@code GET /v1/users/:id}, sheddable {@code GET /v1/feed}. Requests are sent on a fixed schedule whatever
 * the server does (so a slow server cannot slow the load down), and latency is measured from the scheduled
 * send time. First finds the node's capacity with a closed-loop ramp, then offers a multiple of it.
 *
 * <p>Usage: {@code OverloadBench <port> <tokensFile> <userIdsFile> <seconds> <loadFactor> <label>}; prints one
 * Markdown table row per priority class.
 */
public final class OverloadBench {
  private static final String[] CLASSES = {"critical", "normal", "sheddable"};
  // Of every 10 requests: 2 writes, 5 profile reads, 3 feed reads.
  private static final int[] MIX = {0, 0, 1, 1, 1, 1, 1, 2, 2, 2};

  public static void main(String[] args) throws Exception {
    int port = Integer.parseInt(args[0]);
    List<String> tokens = java.nio.file.Files.readAllLines(java.nio.file.Path.of(args[1]));
    List<String> ids = java.nio.file.Files.readAllLines(java.nio.file.Path.of(args[2]));
    int seconds = Integer.parseInt(args[3]);
    double factor = Double.parseDouble(args[4]);
    String label = args[5];
    Vertx vertx = Vertx.vertx();
    WebClient client = WebClient.create(vertx, new WebClientOptions().setDefaultHost("127.0.0.1").setDefaultPort(port)
        .setKeepAlive(true).setConnectTimeout(5000).setIdleTimeout(30), new PoolOptions().setHttp1MaxSize(2000));
    try {
      double capacity = Double.parseDouble(System.getProperty("capacity", "0"));
      if (capacity <= 0) {
        closedLoop(vertx, client, tokens, ids, 64, 5);
        capacity = closedLoop(vertx, client, tokens, ids, 64, 10);
        System.out.printf(Locale.ROOT, "capacity (closed loop, 64 in flight): %.0f req/s%n", capacity);
      }
      double rate = capacity * factor;
      // Warm-up at the same rate (JIT, pools, connections), then the measured run.
      openLoop(vertx, client, tokens, ids, rate, Math.max(3, seconds / 4));
      Result r = openLoop(vertx, client, tokens, ids, rate, seconds);
      for (int c = 0; c < 3; c++) {
        System.out.printf(Locale.ROOT, "| %s | %s | %.0f | %.0f | %.0f | %d | %d | %.1f | %.1f |%n", label, CLASSES[c],
            rate * countIn(c) / MIX.length, r.ok[c].get() / (double) seconds, r.shed[c].get() / (double) seconds,
            r.failed[c].get(), r.errors[c].get(), percentile(r.latencies[c], 0.50), percentile(r.latencies[c], 0.99));
      }
      int okAll = r.ok[0].get() + r.ok[1].get() + r.ok[2].get();
      System.out.printf(Locale.ROOT, "| %s | all | %.0f | %.0f goodput | | | | | |%n", label, rate, okAll / (double) seconds);
    } finally {
      vertx.close().await();
    }
  }

  private static final class Result {
    final AtomicInteger[] ok = counters();
    final AtomicInteger[] shed = counters();
    final AtomicInteger[] failed = counters();
    final AtomicInteger[] errors = counters();
    @SuppressWarnings("unchecked")
    final ConcurrentLinkedQueue<Double>[] latencies = new ConcurrentLinkedQueue[] {
        new ConcurrentLinkedQueue<>(), new ConcurrentLinkedQueue<>(), new ConcurrentLinkedQueue<>()};

    private static AtomicInteger[] counters() {
      return new AtomicInteger[] {new AtomicInteger(), new AtomicInteger(), new AtomicInteger()};
    }
  }

  private static int countIn(int c) {
    return (int) Arrays.stream(MIX).filter(m -> m == c).count();
  }

  private static Future<Integer> send(WebClient client, int cls, int i, List<String> tokens, List<String> ids) {
    String token = tokens.get(Math.floorMod(i * 31, tokens.size()));
    HttpRequest<Buffer> req = switch (cls) {
      case 0 -> client.request(HttpMethod.POST, "/v1/posts");
      case 1 -> client.request(HttpMethod.GET, "/v1/users/" + ids.get(Math.floorMod(i * 17, ids.size())));
      default -> client.request(HttpMethod.GET, "/v1/feed?limit=20");
    };
    req.putHeader("Authorization", "Bearer " + token).timeout(10_000);
    Future<io.vertx.ext.web.client.HttpResponse<Buffer>> f = cls == 0
        ? req.sendJsonObject(new JsonObject().put("text", "overload bench " + i)) : req.send();
    return f.map(io.vertx.ext.web.client.HttpResponse::statusCode);
  }

  /** Requests per second a fixed number of concurrent clients gets through. */
  private static double closedLoop(Vertx vertx, WebClient client, List<String> tokens, List<String> ids,
                                   int concurrency, int seconds) throws Exception {
    AtomicInteger done = new AtomicInteger();
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    List<Future<Void>> loops = new ArrayList<>();
    AtomicInteger seq = new AtomicInteger();
    for (int c = 0; c < concurrency; c++) {
      io.vertx.core.Promise<Void> p = io.vertx.core.Promise.promise();
      loops.add(p.future());
      vertx.runOnContext(v -> loop(client, tokens, ids, seq, done, end, p));
    }
    Future.all(loops).await(seconds + 30L, TimeUnit.SECONDS);
    return done.get() / (double) seconds;
  }

  private static void loop(WebClient client, List<String> tokens, List<String> ids, AtomicInteger seq,
                           AtomicInteger done, long end, io.vertx.core.Promise<Void> p) {
    if (System.nanoTime() > end) {
      p.complete();
      return;
    }
    int i = seq.getAndIncrement();
    send(client, MIX[i % MIX.length], i, tokens, ids).onComplete(ar -> {
      if (ar.succeeded() && ar.result() < 400) {
        done.incrementAndGet();
      }
      loop(client, tokens, ids, seq, done, end, p);
    });
  }

  private static Result openLoop(Vertx vertx, WebClient client, List<String> tokens, List<String> ids,
                                 double rate, int seconds) throws Exception {
    Result r = new Result();
    long start = System.nanoTime();
    long total = (long) (rate * seconds);
    double intervalNanos = 1e9 / rate;
    AtomicInteger sent = new AtomicInteger();
    AtomicInteger completed = new AtomicInteger();
    io.vertx.core.Promise<Void> finished = io.vertx.core.Promise.promise();
    // A 1 ms ticker sends every request whose scheduled time has come.
    long timer = vertx.setPeriodic(1, t -> {
      long now = System.nanoTime();
      while (sent.get() < total && start + (long) (sent.get() * intervalNanos) <= now) {
        int i = sent.getAndIncrement();
        long scheduled = start + (long) (i * intervalNanos);
        int cls = MIX[i % MIX.length];
        send(client, cls, i, tokens, ids).onComplete(ar -> {
          double ms = (System.nanoTime() - scheduled) / 1e6;
          if (ar.failed()) {
            r.errors[cls].incrementAndGet();
          } else if (ar.result() < 300) {
            r.ok[cls].incrementAndGet();
            r.latencies[cls].add(ms);
          } else if (ar.result() == 503 || ar.result() == 429) {
            r.shed[cls].incrementAndGet();
          } else {
            r.failed[cls].incrementAndGet();
          }
          if (completed.incrementAndGet() == total) {
            finished.tryComplete();
          }
        });
      }
    });
    try {
      finished.future().await(seconds + 60L, TimeUnit.SECONDS);
    } catch (java.util.concurrent.TimeoutException e) {
      System.out.println("some requests never completed: " + (total - completed.get()));
    }
    vertx.cancelTimer(timer);
    return r;
  }

  private static double percentile(ConcurrentLinkedQueue<Double> samples, double q) {
    double[] all = samples.stream().mapToDouble(Double::doubleValue).sorted().toArray();
    if (all.length == 0) {
      return Double.NaN;
    }
    return all[Math.min(all.length - 1, (int) Math.ceil(q * all.length) - 1)];
  }
}
