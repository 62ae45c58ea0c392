package io.spillway.bench;

import io.netty.buffer.ByteBuf;
import io.netty.channel.EventLoop;
import io.vertx.core.Future;
import io.vertx.core.http.HttpMethod;

import java.io.IOException;
import java.io.PrintWriter;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

/**
 * An open-loop HTTP load generator: requests go out on a fixed schedule (a constant arrival rate) whatever
 * the server does, and each latency is measured from the request's <em>scheduled</em> send time, so time a
 * request waits because the server (or this client) fell behind counts. A closed-loop tool like wrk slows
 * down with the server and hides that queueing.
 *
 * <p>Goodput is what the user of each route class would call success: a 2xx answer within the class's
 * latency objective ({@code slo}). Shed answers (429, 503), other statuses, timeouts and answers after the
 * objective are not goodput.
 *
 * <p>Arguments are {@code key=value}:
 * <ul>
 *   <li>{@code port}, {@code host} (127.0.0.1);</li>
 *   <li>{@code mix}: comma-separated {@code class:weight:METHOD:path}; {@code {id}} in a path is a random id
 *       from {@code ids}; a POST sends a small JSON post body;</li>
 *   <li>{@code slo}: comma-separated {@code class:milliseconds};</li>
 *   <li>{@code tokens}: a file of bearer tokens, one picked at random per request (none: anonymous);
 *       {@code ids}: a file of ids;</li>
 *   <li>{@code rate} (requests/s), {@code seconds} measured after {@code warmup} seconds at the same rate
 *       (one continuous stream; requests scheduled in the warm-up are not counted);</li>
 *   <li>{@code capacity=true}: instead, find the highest rate whose goodput is at least {@code target}
 *       (0.95) of the offered rate with every class's p99 within its objective: from {@code from} up by
 *       {@code step} (1.3) until a rate fails (twice in a row), then {@code refine} (2) geometric
 *       bisections;</li>
 *   <li>{@code timeout} (ms, 10000) per request, from its send to the end of its answer (waiting for a
 *       connection included; a request that times out closes its connection), {@code connections} (2048) at
 *       most, kept alive, one request in flight on each;</li>
 *   <li>{@code label}, printed on every result line; {@code pct}: a file to append the latency percentile
 *       curve to ({@code label class percentile ms});</li>
 *   <li>{@code addresses}: {@code true} sends each token's requests from an address of its own ({@code
 *       X-Forwarded-For: 10.x.y.z}, which the server believes from 127.0.0.1), so per-address limits count
 *       users as they would behind a real load balancer instead of one address for the whole load;
 *   <li>{@code from}: every request from this one address ({@code X-Forwarded-For}); {@code body}: the JSON
 *       body of every POST instead of a small post (e.g. a login);</li>
 *   <li>{@code drain}: after the run, wait until the server answers this path (with a token) in under 50 ms
 *       five times in a row (at most 120 s), so the next run starts on an idle server.</li>
 * </ul>
 * Output: one {@code run ...} line per class and one for {@code all}, {@code key=value} fields, and a
 * {@code sendlag} line (how late this client itself sent: if that is large, the client was the limit; and
 * {@code client_cpu_us_per_request}, this process's CPU time over the run divided by every request it sent,
 * warm-up included: what the client took from the machine it shares with the server).
 */
public final class OpenLoopLoad implements AutoCloseable {
  private static final double[] CURVE = {50, 75, 90, 95, 99, 99.5, 99.9, 99.95, 99.99, 100};
  /**
   * How often, at most, the sender wakes: at high rates each wake-up sends a millisecond's requests at once
   * (a request is at most this late on the client's account), at low rates it sleeps until the next is due.
   */
  private static final long TICK_NANOS = TimeUnit.MILLISECONDS.toNanos(1);
  private static final com.sun.management.OperatingSystemMXBean CPU =
      (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();

  private static final byte[] CRLF = utf8("\r\n");
  private static final byte[] POST_HEAD = utf8("Content-Type: application/json\r\nContent-Length: ");

  /**
   * A route and its request, encoded once up to what changes per request: {@code parts} are the bytes from
   * the request line to the end of the Host header, split where the path has {@code {id}}.
   */
  private record Route(String cls, int weight, HttpMethod method, byte[][] parts, int partsLength) {
    static Route of(String cls, int weight, HttpMethod method, String path, String host) {
      byte[][] parts = Arrays.stream((method.name() + " " + path + " HTTP/1.1\r\nHost: " + host + "\r\n")
          .split(Pattern.quote("{id}"), -1)).map(OpenLoopLoad::utf8).toArray(byte[][]::new);
      return new Route(cls, weight, method, parts, Arrays.stream(parts).mapToInt(p -> p.length).sum());
    }
  }

  private final Map<String, String> args;
  private final String host;
  private final int port;
  private final List<Route> routes = new ArrayList<>();
  private final Route[] wheel;
  private final List<String> classes = new ArrayList<>();
  private final Map<String, Double> slo = new LinkedHashMap<>();
  /** Per token, its Authorization header (and with {@code addresses}, its X-Forwarded-For), encoded. */
  private final byte[][] tokenHeaders;
  private final byte[] fromHeader;
  /** With {@code body}: the end of every POST, from its Content-Type to the end of the body. */
  private final byte[] postTail;
  private final byte[][] ids;
  private final long timeoutMs;
  private final RawHttpClient client;
  private final EventLoop loop;

  /** {@code args}: the {@code key=value} arguments of the command line. */
  OpenLoopLoad(Map<String, String> args) throws IOException {
    this.args = args;
    host = args.getOrDefault("host", "127.0.0.1");
    port = Integer.parseInt(required("port"));
    ids = args.containsKey("ids") ? lines(args.get("ids")).stream().map(OpenLoopLoad::utf8).toArray(byte[][]::new)
        : new byte[0][];
    for (String part : required("mix").split(",")) {
      String[] f = part.split(":", 4);
      Route route = Route.of(f[0], Integer.parseInt(f[1]), HttpMethod.valueOf(f[2]), f[3], host + ":" + port);
      if (route.parts().length > 1 && ids.length == 0) {
        throw new IllegalArgumentException("ids: a path has {id} but there are no ids");
      }
      routes.add(route);
      if (!classes.contains(f[0])) {
        classes.add(f[0]);
      }
    }
    wheel = routes.stream().flatMap(r -> java.util.Collections.nCopies(r.weight(), r).stream()).toArray(Route[]::new);
    for (String part : args.getOrDefault("slo", "").split(",")) {
      if (!part.isBlank()) {
        String[] f = part.split(":");
        slo.put(f[0], Double.parseDouble(f[1]));
      }
    }
    for (String c : classes) {
      if (!slo.containsKey(c)) {
        throw new IllegalArgumentException("slo: no objective for class " + c);
      }
    }
    // Headers encoded once: the client's own cost per request stays small next to the server's.
    boolean addresses = Boolean.parseBoolean(args.getOrDefault("addresses", "false"));
    String from = args.get("from");
    List<String> tokens = args.containsKey("tokens") ? lines(args.get("tokens")) : List.of();
    tokenHeaders = new byte[tokens.size()][];
    for (int t = 0; t < tokens.size(); t++) {
      String h = "Authorization: Bearer " + tokens.get(t) + "\r\n";
      if (addresses && from == null) {
        h += "X-Forwarded-For: 10." + ((t >> 16) & 255) + "." + ((t >> 8) & 255) + "." + (t & 255) + "\r\n";
      }
      tokenHeaders[t] = utf8(h);
    }
    fromHeader = from == null ? new byte[0] : utf8("X-Forwarded-For: " + from + "\r\n");
    postTail = args.containsKey("body") ? postTail(utf8(args.get("body"))) : null;
    timeoutMs = Long.parseLong(args.getOrDefault("timeout", "10000"));
    // One event loop: every callback runs on one thread, so the bookkeeping needs no locks, and the client
    // takes at most one of the machine's cores.
    client = new RawHttpClient(host, port, Integer.parseInt(args.getOrDefault("connections", "2048")), timeoutMs);
    loop = client.loop();
  }

  @Override
  public void close() {
    client.close();
  }

  public static void main(String[] argv) throws Exception {
    Map<String, String> args = new LinkedHashMap<>();
    for (String a : argv) {
      int eq = a.indexOf('=');
      if (eq < 0) {
        throw new IllegalArgumentException("arguments are key=value: " + a);
      }
      args.put(a.substring(0, eq), a.substring(eq + 1));
    }
    try (OpenLoopLoad load = new OpenLoopLoad(args)) {
      if (Boolean.parseBoolean(args.getOrDefault("capacity", "false"))) {
        load.capacity();
      } else {
        Result r = load.run(Double.parseDouble(load.required("rate")), Double.parseDouble(args.getOrDefault("warmup", "3")),
            Double.parseDouble(args.getOrDefault("seconds", "15")));
        load.print(r, args.getOrDefault("label", "run"));
        load.drain();
      }
    }
  }

  private String required(String key) {
    String v = args.get(key);
    if (v == null) {
      throw new IllegalArgumentException("missing argument " + key + "=...");
    }
    return v;
  }

  private static List<String> lines(String file) throws IOException {
    return Files.readAllLines(Path.of(file)).stream().map(String::trim).filter(s -> !s.isEmpty()).toList();
  }

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  /** The end of a POST: its Content-Type and Content-Length, the blank line, the body. */
  private static byte[] postTail(byte[] body) {
    byte[] length = utf8(body.length + "\r\n\r\n");
    byte[] out = Arrays.copyOf(POST_HEAD, POST_HEAD.length + length.length + body.length);
    System.arraycopy(length, 0, out, POST_HEAD.length, length.length);
    System.arraycopy(body, 0, out, POST_HEAD.length + length.length, body.length);
    return out;
  }

  /** Per-class outcomes of the requests scheduled inside the measured window. */
  final class Result {
    final double rate;
    final double seconds;
    final Map<String, Stats> byClass = new LinkedHashMap<>();
    final Stats all = new Stats();
    final Samples sendLag = new Samples();
    /** Every request sent in the run, warm-up included, and this process's CPU time over the run. */
    long requests;
    long cpuNanos;

    Result(double rate, double seconds) {
      this.rate = rate;
      this.seconds = seconds;
      classes.forEach(c -> byClass.put(c, new Stats()));
    }

    boolean passes(double target) {
      if (all.good < target * all.sent) {
        return false;
      }
      for (String c : classes) {
        Stats s = byClass.get(c);
        if (s.sent > 0 && (s.ok.size() == 0 || s.ok.percentile(99) > slo.get(c))) {
          return false;
        }
      }
      return true;
    }
  }

  static final class Stats {
    long sent;
    long good;
    long shed;
    long other;
    long errors;
    final Samples ok = new Samples();
  }

  /** Latencies in ms, kept whole: a run is at most a few hundred thousand requests. */
  static final class Samples {
    private double[] values = new double[1024];
    private int size;
    private boolean sorted;

    void add(double v) {
      if (size == values.length) {
        values = Arrays.copyOf(values, size * 2);
      }
      values[size++] = v;
      sorted = false;
    }

    int size() {
      return size;
    }

    double percentile(double p) {
      if (size == 0) {
        return Double.NaN;
      }
      if (!sorted) {
        Arrays.sort(values, 0, size);
        sorted = true;
      }
      int idx = (int) Math.ceil(p / 100.0 * size) - 1;
      return values[Math.max(0, Math.min(size - 1, idx))];
    }
  }

  /** Sends at {@code rate} for warm-up + measured seconds, then waits for every answer (or its timeout). */
  Result run(double rate, double warmupSeconds, double seconds) throws Exception {
    Result r = new Result(rate, seconds);
    CompletableFuture<Void> done = new CompletableFuture<>();
    long total = (long) (rate * (warmupSeconds + seconds));
    long firstMeasured = (long) (rate * warmupSeconds);
    double intervalNanos = 1e9 / rate;
    long cpuBefore = CPU.getProcessCpuTime();
    loop.execute(new Runnable() {
      private final long start = System.nanoTime();
      private long next;
      private long outstanding;

      /** Sends every request now due, then waits for the next one to be due (at least a tick: batches). */
      @Override
      public void run() {
        long now = System.nanoTime();
        while (next < total) {
          long i = next;
          long scheduled = start + (long) (i * intervalNanos);
          if (scheduled > now) {
            break;
          }
          next++;
          boolean measured = i >= firstMeasured;
          Route route = wheel[(int) (i % wheel.length)];
          Stats s = r.byClass.get(route.cls());
          if (measured) {
            r.sendLag.add((now - scheduled) / 1e6);
            s.sent++;
            r.all.sent++;
          }
          outstanding++;
          send(route, i).onComplete(ar -> {
            double ms = (System.nanoTime() - scheduled) / 1e6;
            if (measured) {
              if (ar.failed()) {
                s.errors++;
                r.all.errors++;
              } else if (ar.result() >= 200 && ar.result() < 300) {
                s.ok.add(ms);
                r.all.ok.add(ms);
                if (ms <= slo.get(route.cls())) {
                  s.good++;
                  r.all.good++;
                }
              } else if (ar.result() == 429 || ar.result() == 503) {
                s.shed++;
                r.all.shed++;
              } else {
                s.other++;
                r.all.other++;
              }
            }
            if (--outstanding == 0 && next == total) {
              done.complete(null);
            }
          });
        }
        if (next < total) {
          long due = start + (long) (next * intervalNanos);
          loop.schedule(this, Math.max(due - now, TICK_NANOS), TimeUnit.NANOSECONDS);
        }
      }
    });
    try {
      done.get((long) (warmupSeconds + seconds) + timeoutMs / 1000 + 30, TimeUnit.SECONDS);
    } catch (java.util.concurrent.TimeoutException e) {
      System.out.println("warning: some requests never completed");
    }
    r.cpuNanos = CPU.getProcessCpuTime() - cpuBefore;
    r.requests = total;
    return r;
  }

  /** Sends request {@code i} of {@code route} (on the client's loop): one buffer, written from parts made once. */
  private Future<Integer> send(Route route, long i) {
    ThreadLocalRandom rnd = ThreadLocalRandom.current();
    byte[][] parts = route.parts();
    byte[] id = parts.length > 1 ? ids[rnd.nextInt(ids.length)] : null;
    byte[] token = tokenHeaders.length > 0 ? tokenHeaders[rnd.nextInt(tokenHeaders.length)] : null;
    byte[] tail = route.method() != HttpMethod.POST ? CRLF : postTail != null ? postTail
        : postTail(utf8("{\"text\":\"open-loop post " + i + ": the quick brown fox jumps over the lazy dog\"}"));
    ByteBuf buf = client.alloc().directBuffer(route.partsLength() + (parts.length - 1) * (id == null ? 0 : id.length)
        + (token == null ? 0 : token.length) + fromHeader.length + tail.length);
    buf.writeBytes(parts[0]);
    for (int p = 1; p < parts.length; p++) {
      buf.writeBytes(id).writeBytes(parts[p]);
    }
    if (token != null) {
      buf.writeBytes(token);
    }
    buf.writeBytes(fromHeader).writeBytes(tail);
    return client.send(buf, route.method() == HttpMethod.HEAD);
  }

  private void print(Result r, String label) throws IOException {
    for (String c : classes) {
      printLine(label, r, c, r.byClass.get(c));
    }
    printLine(label, r, "all", r.all);
    System.out.printf(Locale.ROOT, "sendlag label=%s rate=%.0f lag_p50_ms=%.2f lag_p99_ms=%.2f lag_max_ms=%.2f "
            + "client_cpu_us_per_request=%.2f%n", label, r.rate, r.sendLag.percentile(50), r.sendLag.percentile(99),
        r.sendLag.percentile(100), r.requests == 0 ? Double.NaN : r.cpuNanos / 1e3 / r.requests);
    String pct = args.get("pct");
    if (pct != null) {
      try (PrintWriter out = new PrintWriter(Files.newBufferedWriter(Path.of(pct),
          java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND))) {
        for (String c : classes) {
          for (double p : CURVE) {
            out.printf(Locale.ROOT, "%s %s %s %.3f%n", label, c, p, r.byClass.get(c).ok.percentile(p));
          }
        }
      }
    }
  }

  private void printLine(String label, Result r, String cls, Stats s) {
    Samples ok = s.ok;
    System.out.printf(Locale.ROOT, "run label=%s rate=%.0f class=%s slo_ms=%s sent=%d ok=%d good=%d shed=%d other=%d "
            + "errors=%d offered_rps=%.1f ok_rps=%.1f good_rps=%.1f shed_rps=%.1f good_pct=%.1f "
            + "p50_ms=%.2f p90_ms=%.2f p99_ms=%.2f p999_ms=%.2f max_ms=%.2f%n",
        label, r.rate, cls, cls.equals("all") ? "-" : String.valueOf(slo.get(cls)), s.sent, ok.size(), s.good,
        s.shed, s.other, s.errors, s.sent / r.seconds, ok.size() / r.seconds, s.good / r.seconds, s.shed / r.seconds,
        s.sent == 0 ? 0.0 : 100.0 * s.good / s.sent, ok.percentile(50), ok.percentile(90), ok.percentile(99),
        ok.percentile(99.9), ok.percentile(100));
  }

  /** Capacity: the highest rate that passes, found by stepping up, then refining between pass and fail. */
  private void capacity() throws Exception {
    double step = Double.parseDouble(args.getOrDefault("step", "1.3"));
    double target = Double.parseDouble(args.getOrDefault("target", "0.95"));
    double warmup = Double.parseDouble(args.getOrDefault("warmup", "2"));
    double seconds = Double.parseDouble(args.getOrDefault("seconds", "6"));
    int refine = Integer.parseInt(args.getOrDefault("refine", "2"));
    double rate = Double.parseDouble(args.getOrDefault("from", "500"));
    double pass = 0;
    double fail = Double.MAX_VALUE;
    while (pass == 0 && rate >= 10) { // down from the start until a rate passes
      if (probe(rate, warmup, seconds, target)) {
        pass = rate;
      } else {
        fail = rate;
        rate /= step;
      }
    }
    while (pass > 0 && fail == Double.MAX_VALUE) { // then up until one fails
      rate = pass * step;
      if (probe(rate, warmup, seconds, target)) {
        pass = rate;
      } else {
        fail = rate;
      }
    }
    for (int i = 0; i < refine && pass > 0 && fail < Double.MAX_VALUE; i++) {
      double mid = Math.sqrt(pass * fail);
      if (probe(mid, warmup, seconds, target)) {
        pass = mid;
      } else {
        fail = mid;
      }
    }
    System.out.printf(Locale.ROOT, "capacity rps=%.0f first_failing_rps=%.0f target=%.2f%n", pass,
        fail == Double.MAX_VALUE ? Double.NaN : fail, target);
  }

  /**
   * One rate, tried twice before it counts as failing: on a shared machine a single stall elsewhere can
   * push one short probe's p99 over the objective.
   */
  private boolean probe(double rate, double warmup, double seconds, double target) throws Exception {
    for (int attempt = 1; attempt <= 2; attempt++) {
      Result r = run(rate, warmup, seconds);
      boolean ok = r.passes(target);
      print(r, "probe-" + (ok ? "pass" : "fail"));
      drain();
      if (ok) {
        return true;
      }
    }
    return false;
  }

  /** Waits until the server is idle again: five quick answers in a row to a light request. */
  private void drain() throws Exception {
    String path = args.get("drain");
    if (path == null) {
      return;
    }
    Route probe = Route.of("drain", 1, HttpMethod.GET, path, host + ":" + port);
    long t0 = System.nanoTime();
    int quick = 0;
    while (quick < 5 && System.nanoTime() - t0 < TimeUnit.SECONDS.toNanos(120)) {
      long s = System.nanoTime();
      CompletableFuture<Integer> f = new CompletableFuture<>();
      loop.execute(() -> send(probe, 0).onComplete(ar -> f.complete(ar.succeeded() ? ar.result() : -1)));
      int status = f.get(timeoutMs + 5000, TimeUnit.MILLISECONDS);
      double ms = (System.nanoTime() - s) / 1e6;
      quick = status >= 200 && status < 300 && ms < 50 ? quick + 1 : 0;
      if (quick == 0) {
        Thread.sleep(200);
      }
    }
    System.out.printf(Locale.ROOT, "drained in %.1f s%n", (System.nanoTime() - t0) / 1e9);
  }
}
