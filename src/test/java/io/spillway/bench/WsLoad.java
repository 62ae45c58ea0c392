package io.spillway.bench;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.LongAdder;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * WebSocket load against one node: opens {@code ws.connections} sockets, subscribes each to {@code
 * ws.channels} authors' channels, drives {@code ws.rate} posts per second through REST for {@code ws.seconds},
 * and reports connections held, the server's heap per connection, fan-out deliveries per second, and
 * commit-to-client latency (the event's {@code time}, stamped in the writing transaction, to the moment the
 * frame is read here). Run by {@code bench/ws.sh}; every request goes to 127.0.0.1.
 */
public final class WsLoad {
  private static final Pattern HEAP_USED = Pattern.compile("total \\d+K, used (\\d+)K");
  /** Latency histogram: 0.1 ms buckets up to 10 s. */
  private static final int BUCKETS = 100_000;

  private final String host = System.getProperty("ws.host", "127.0.0.1");
  private final int port = Integer.getInteger("ws.port", 8080);
  private final int connections = Integer.getInteger("ws.connections", 10_000);
  private final int channels = Integer.getInteger("ws.channels", 4);
  private final int rate = Integer.getInteger("ws.rate", 10);
  private final int seconds = Integer.getInteger("ws.seconds", 30);
  private final int warmupSeconds = Integer.getInteger("ws.warmup", 5);
  private final long serverPid = Long.getLong("ws.serverPid", -1);

  private final Vertx vertx = Vertx.vertx();
  private final WebClient web = WebClient.create(vertx, new WebClientOptions().setDefaultHost(host).setDefaultPort(port));
  private final AtomicLongArray histogram = new AtomicLongArray(BUCKETS);
  private final LongAdder received = new LongAdder();
  private final LongAdder inWindow = new LongAdder();
  private final AtomicInteger open = new AtomicInteger();
  private final AtomicInteger subscribed = new AtomicInteger();
  private final AtomicInteger closedByServer = new AtomicInteger();
  private volatile boolean measuring;

  public static void main(String[] args) throws Exception {
    try {
      new WsLoad().run();
    } catch (Throwable e) {
      // The Vert.x threads would keep the JVM (and the bench script waiting on it) alive.
      e.printStackTrace();
      System.exit(1);
    }
    System.exit(0);
  }

  private void run() throws Exception {
    String tag = Long.toString(System.currentTimeMillis(), 36);
    List<JsonObject> authors = new ArrayList<>();
    for (int i = 0; i < channels; i++) {
      authors.add(user("ws-author-" + i + "-" + tag));
    }
    JsonObject reader = user("ws-reader-" + tag);
    long heapBefore = serverHeapKiB();

    long t0 = System.nanoTime();
    WebSocketClient client = vertx.createWebSocketClient(new WebSocketClientOptions()
        .setMaxConnections(connections + 100).setConnectTimeout(30_000).setMaxFrameSize(1 << 20));
    String bearer = "Bearer " + reader.getString("token");
    int batch = 500;
    for (int start = 0; start < connections; start += batch) {
      List<Future<WebSocket>> opening = new ArrayList<>();
      for (int i = start; i < Math.min(connections, start + batch); i++) {
        opening.add(client.connect(new WebSocketConnectOptions().setHost(host).setPort(port).setURI("/v1/stream")
                .addHeader("Authorization", bearer))
            .onSuccess(ws -> onOpen(ws, authors)));
      }
      Future.join(opening).await(60, TimeUnit.SECONDS);
    }
    waitFor(() -> subscribed.get() >= open.get() * channels, 120);
    double connectSeconds = (System.nanoTime() - t0) / 1e9;
    long heapAfter = serverHeapKiB();
    System.out.printf("connections held: %d of %d in %.1f s, %d subscriptions%n", open.get(), connections,
        connectSeconds, subscribed.get());
    if (heapBefore > 0 && heapAfter > 0) {
      System.out.printf("server heap after full GC: %.1f MiB before, %.1f MiB with connections: %.1f KiB per connection%n",
          heapBefore / 1024.0, heapAfter / 1024.0, (heapAfter - heapBefore) / (double) Math.max(1, open.get()));
    }

    // Posts at a steady rate, spread over the authors; every socket follows every author.
    LongAdder posted = new LongAdder();
    LongAdder postedInWindow = new LongAdder();
    LongAdder postFailures = new LongAdder();
    AtomicInteger next = new AtomicInteger();
    long periodMicros = 1_000_000L / rate;
    long timer = vertx.setPeriodic(Math.max(1, periodMicros / 1000), t -> {
      JsonObject author = authors.get(next.getAndIncrement() % authors.size());
      boolean counted = measuring;
      web.post("/v1/posts").putHeader("Authorization", "Bearer " + author.getString("token"))
          .sendJsonObject(new JsonObject().put("text", "load " + next.get()))
          .onSuccess(r -> {
            if (r.statusCode() == 201) {
              posted.increment();
              if (counted) {
                postedInWindow.increment();
              }
            } else {
              postFailures.increment();
            }
          })
          .onFailure(err -> postFailures.increment());
    });
    Thread.sleep(warmupSeconds * 1000L);
    measuring = true;
    long windowStart = System.nanoTime();
    long serverCpuStart = cpuMillis(serverPid);
    long clientCpuStart = cpuMillis(ProcessHandle.current().pid());
    Thread.sleep(seconds * 1000L);
    measuring = false;
    double window = (System.nanoTime() - windowStart) / 1e9;
    long serverCpu = cpuMillis(serverPid) - serverCpuStart;
    long clientCpu = cpuMillis(ProcessHandle.current().pid()) - clientCpuStart;
    vertx.cancelTimer(timer);
    long expected = posted.sum() * (long) open.get();
    waitFor(() -> received.sum() >= expected, 30);

    long count = 0;
    for (int i = 0; i < BUCKETS; i++) {
      count += histogram.get(i);
    }
    System.out.printf("posts: %d in %.1f s measured (%.1f/s), %d failed; fan-out %d sockets x %d channels%n",
        postedInWindow.sum(), window, postedInWindow.sum() / window, postFailures.sum(), open.get(), channels);
    System.out.printf("deliveries: %.0f/s in the window; %d of %d expected in total (%d missing), %d sockets closed by the server%n",
        inWindow.sum() / window, received.sum(), expected, Math.max(0, expected - received.sum()), closedByServer.get());
    System.out.printf("commit-to-client latency over %d deliveries: p50 %.1f ms, p90 %.1f ms, p99 %.1f ms, p99.9 %.1f ms, max %.1f ms%n",
        count, percentile(count, 0.50), percentile(count, 0.90), percentile(count, 0.99), percentile(count, 0.999),
        percentile(count, 1.0));
    if (serverPid > 0 && inWindow.sum() > 0) {
      System.out.printf("cpu in the window: server %.1f µs per delivery (%.0f%% of one core), this client %.1f µs per delivery%n",
          serverCpu * 1000.0 / inWindow.sum(), serverCpu / (window * 10), clientCpu * 1000.0 / inWindow.sum());
    }
  }

  /** User + system CPU time of a process so far, in ms, from /proc (clock ticks of 10 ms on Linux). */
  private static long cpuMillis(long pid) {
    if (pid < 0) {
      return 0;
    }
    try {
      String stat = java.nio.file.Files.readString(java.nio.file.Path.of("/proc/" + pid + "/stat"));
      String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
      return (Long.parseLong(f[11]) + Long.parseLong(f[12])) * 10;
    } catch (java.io.IOException e) {
      return 0;
    }
  }

  private void onOpen(WebSocket ws, List<JsonObject> authors) {
    open.incrementAndGet();
    ws.closeHandler(v -> {
      open.decrementAndGet();
      closedByServer.incrementAndGet();
    });
    int[] seen = new int[1];
    ws.handler(frame -> onFrame(frame, seen));
    for (JsonObject a : authors) {
      ws.writeTextMessage("{\"op\":\"subscribe\",\"channel\":\"posts:" + a.getString("id") + "\"}");
    }
  }

  /**
   * Reads frames as bytes: decoding 100,000 frames a second into Strings would cost this client (which
   * shares the machine's two cores with the server) more than the server spends sending them. Latency is
   * parsed from every 8th event per socket, which still samples hundreds of thousands of deliveries.
   */
  private void onFrame(Buffer frame, int[] seen) {
    if (WsOps.isEvent(frame)) {
      long nowMicros = micros(Instant.now());
      received.increment();
      if (!measuring) {
        return;
      }
      inWindow.increment();
      if ((seen[0]++ & 7) != 0) {
        return;
      }
      String text = frame.toString(StandardCharsets.UTF_8);
      // The event is PostgreSQL's jsonb text ("time": "..."), so allow a space after the colon.
      int at = text.indexOf("\"time\":");
      int start = at < 0 ? -1 : text.indexOf('"', at + 7) + 1;
      if (start > 0) {
        int end = text.indexOf('"', start);
        long latencyMicros = nowMicros - micros(Instant.parse(text.substring(start, end)));
        histogram.incrementAndGet((int) Math.max(0, Math.min(BUCKETS - 1, latencyMicros / 100)));
      }
    } else if (WsOps.isSubscribed(frame)) {
      subscribed.incrementAndGet();
    }
  }

  private double percentile(long count, double p) {
    long target = (long) Math.ceil(count * p);
    long seen = 0;
    for (int i = 0; i < BUCKETS; i++) {
      seen += histogram.get(i);
      if (seen >= target && seen > 0) {
        return (i + 1) / 10.0;
      }
    }
    return Double.NaN;
  }

  private JsonObject user(String name) throws Exception {
    String email = name + "@example.com";
    HttpResponse<Buffer> created = web.post("/v1/users").sendJsonObject(new JsonObject().put("email", email)
        .put("name", name).put("password", "bench-password")).await(30, TimeUnit.SECONDS);
    if (created.statusCode() != 201) {
      throw new IllegalStateException("sign-up failed: " + created.bodyAsString());
    }
    HttpResponse<Buffer> token = web.post("/v1/auth/token").sendJsonObject(new JsonObject().put("email", email)
        .put("password", "bench-password")).await(30, TimeUnit.SECONDS);
    return new JsonObject().put("id", created.bodyAsJsonObject().getString("id"))
        .put("token", token.bodyAsJsonObject().getString("access_token"));
  }

  /** Used heap of the server after a full GC, from jcmd; -1 when no pid was given. */
  private long serverHeapKiB() throws Exception {
    if (serverPid < 0) {
      return -1;
    }
    jcmd("GC.run");
    long used = 0;
    for (String line : jcmd("GC.heap_info")) {
      Matcher m = HEAP_USED.matcher(line);
      if (m.find() && !line.contains("Metaspace") && !line.contains("class space")) {
        used += Long.parseLong(m.group(1));
      }
    }
    return used;
  }

  private List<String> jcmd(String command) throws Exception {
    Process p = new ProcessBuilder("jcmd", Long.toString(serverPid), command).redirectErrorStream(true).start();
    List<String> lines = new ArrayList<>();
    try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
      for (String line; (line = r.readLine()) != null; ) {
        lines.add(line);
      }
    }
    p.waitFor(30, TimeUnit.SECONDS);
    return lines;
  }

  private static long micros(Instant t) {
    return t.getEpochSecond() * 1_000_000L + t.getNano() / 1000;
  }

  private static void waitFor(java.util.function.BooleanSupplier condition, int timeoutSeconds) throws InterruptedException {
    long deadline = System.nanoTime() + timeoutSeconds * 1_000_000_000L;
    while (!condition.getAsBoolean() && System.nanoTime() < deadline) {
      Thread.sleep(50);
    }
  }

}
