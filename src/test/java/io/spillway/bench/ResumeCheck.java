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

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.BooleanSupplier;

/**
 * The subscriber side of a node crash ({@code bench/cluster-proofs.sh kill}): {@code sockets} WebSockets
 * through the balancer, each following every author's {@code posts:} channel, while the authors post at
 * {@code rate} per second in all for {@code seconds}. A socket that closes reconnects through the balancer
 * and subscribes again with {@code since} = the highest offset it saw, as a client of docs/realtime.md does.
 * Each author writes one post at a time with an Idempotency-Key, retried with the same key until a 2xx, so
 * the posts written are exactly the ids answered, in the order written. At the end every socket's events of
 * every channel are compared with them: lost, duplicated, out of order, offsets that did not grow.
 *
 * <p>{@code ResumeCheck <port> <seconds> <rate> <authorsFile> <readerTokensFile> <sockets>}: authorsFile has
 * {@code id token} per line; socket i uses the i-th reader token. Prints {@code writing} when the posts
 * start, then the result lines.
 */
public final class ResumeCheck {
  private final Vertx vertx = Vertx.vertx();
  private final int port;
  private final WebClient web;
  private final WebSocketClient wsClient;
  private final List<String> channels = new ArrayList<>();
  private final Map<String, List<String>> written = new ConcurrentHashMap<>();
  private final Map<String, LongAdder> writeCodes = new ConcurrentHashMap<>();
  private final AtomicInteger subscribed = new AtomicInteger();
  private volatile boolean finished;

  private ResumeCheck(int port, int sockets) {
    this.port = port;
    this.web = WebClient.create(vertx, new WebClientOptions().setDefaultHost("127.0.0.1").setDefaultPort(port)
        .setConnectTimeout(2000));
    this.wsClient = vertx.createWebSocketClient(new WebSocketClientOptions().setMaxConnections(sockets + 10)
        .setConnectTimeout(5000));
  }

  public static void main(String[] args) throws Exception {
    int code = 1;
    try {
      ResumeCheck check = new ResumeCheck(Integer.parseInt(args[0]), Integer.parseInt(args[5]));
      code = check.run(Integer.parseInt(args[1]), Integer.parseInt(args[2]), Files.readAllLines(Path.of(args[3])),
          Files.readAllLines(Path.of(args[4])).subList(0, Integer.parseInt(args[5])));
    } catch (Throwable e) {
      e.printStackTrace();
    }
    // The Vert.x threads would keep the JVM (and the script waiting on it) alive.
    System.exit(code);
  }

  private int run(int seconds, int rate, List<String> authorLines, List<String> readerTokens) throws Exception {
    Map<String, String> authorTokens = new TreeMap<>();
    for (String line : authorLines) {
      String[] parts = line.trim().split("\\s+");
      authorTokens.put(parts[0], parts[1]);
      channels.add("posts:" + parts[0]);
      written.put("posts:" + parts[0], new CopyOnWriteArrayList<>());
    }
    List<Subscriber> subscribers = new ArrayList<>();
    for (String token : readerTokens) {
      Subscriber s = new Subscriber("Bearer " + token.trim());
      subscribers.add(s);
      s.connect();
    }
    await(() -> subscribed.get() >= subscribers.size() * channels.size(), 60, "every socket subscribed");
    System.out.println("writing");
    long periodMs = Math.max(1, 1000L * authorTokens.size() / rate);
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    List<Future<Void>> writers = new ArrayList<>();
    authorTokens.forEach((id, token) -> writers.add(write(id, token, periodMs, end, 0)));
    Future.all(writers).await(seconds + 120L, TimeUnit.SECONDS);
    int posts = written.values().stream().mapToInt(List::size).sum();
    await(() -> subscribers.stream().allMatch(Subscriber::hasAll), 60, "every event delivered");
    finished = true;
    return report(subscribers, posts);
  }

  /** One author's posts, one at a time, every {@code periodMs}, until {@code end}. */
  private Future<Void> write(String author, String token, long periodMs, long end, int n) {
    if (System.nanoTime() >= end) {
      return Future.succeededFuture();
    }
    String key = "resume-" + ProcessHandle.current().pid() + "-" + author + "-" + n;
    long next = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(periodMs);
    return post(token, key, n, 0).compose(id -> {
      written.get("posts:" + author).add(id);
      long waitMs = Math.max(1, TimeUnit.NANOSECONDS.toMillis(next - System.nanoTime()));
      return vertx.timer(waitMs).compose(t -> write(author, token, periodMs, end, n + 1));
    });
  }

  /** POSTs until a 2xx, with the same key and body; the result is the post's id. */
  private Future<String> post(String token, String key, int n, int tries) {
    if (tries > 600) {
      return Future.failedFuture("post " + key + " never answered 2xx");
    }
    return web.post("/v1/posts").putHeader("Authorization", "Bearer " + token).putHeader("Idempotency-Key", key)
        .timeout(10_000).sendJsonObject(new JsonObject().put("text", "resume check " + n))
        .transform(ar -> {
          HttpResponse<Buffer> r = ar.succeeded() ? ar.result() : null;
          writeCodes.computeIfAbsent(r == null ? "error" : Integer.toString(r.statusCode()), k -> new LongAdder())
              .increment();
          if (r != null && r.statusCode() / 100 == 2) {
            return Future.succeededFuture(r.bodyAsJsonObject().getString("id"));
          }
          return vertx.timer(100).compose(t -> post(token, key, n, tries + 1));
        });
  }

  private int report(List<Subscriber> subscribers, int posts) {
    long lost = 0;
    long duplicates = 0;
    long unexpected = 0;
    long outOfOrder = 0;
    long offsetsNotGrowing = 0;
    long delivered = 0;
    List<String> lostDetails = new ArrayList<>();
    for (int i = 0; i < subscribers.size(); i++) {
      Subscriber s = subscribers.get(i);
      for (String channel : channels) {
        List<String> expected = written.get(channel);
        List<String> got = s.received(channel);
        delivered += got.size();
        Set<String> distinct = new HashSet<>(got);
        duplicates += got.size() - distinct.size();
        for (int n = 0; n < expected.size(); n++) {
          if (!distinct.contains(expected.get(n))) {
            lost++;
            lostDetails.add(String.format(Locale.ROOT, "lost: socket %d (closed %d times), %s, post %d of %d (%s)",
                i, s.closes, channel, n + 1, expected.size(), expected.get(n)));
          }
        }
        unexpected += distinct.stream().filter(id -> !expected.contains(id)).count();
        List<String> firstSeen = new ArrayList<>(new LinkedHashSet<>(got));
        firstSeen.retainAll(expected);
        if (!firstSeen.equals(expected.stream().filter(distinct::contains).toList())) {
          outOfOrder++;
        }
        offsetsNotGrowing += s.offsetsNotGrowing(channel);
      }
    }
    int closed = subscribers.stream().mapToInt(s -> s.closes).sum();
    long reconnected = subscribers.stream().filter(s -> s.closes > 0).count();
    System.out.printf(Locale.ROOT, "posts: %d written by %d authors (one at a time each, retried with the same "
        + "Idempotency-Key), POST answers %s%n", posts, channels.size(), new TreeMap<>(counts(writeCodes)));
    System.out.printf(Locale.ROOT, "sockets: %d, each on %d channels; %d sockets were closed (%d closes) and "
            + "resumed with since = their last offset; resets %d, error frames %d%n", subscribers.size(),
        channels.size(), reconnected, closed, subscribers.stream().mapToInt(s -> s.resets).sum(),
        subscribers.stream().mapToInt(s -> s.errors).sum());
    System.out.printf(Locale.ROOT, "events: %d delivered, %d expected (posts x sockets); lost %d, duplicates %d, "
            + "unexpected %d, channels out of order %d, offsets not increasing %d%n", delivered,
        (long) posts * subscribers.size(), lost, duplicates, unexpected, outOfOrder, offsetsNotGrowing);
    lostDetails.stream().limit(20).forEach(System.out::println);
    return lost + duplicates + unexpected + outOfOrder + offsetsNotGrowing == 0 ? 0 : 1;
  }

  private static Map<String, Long> counts(Map<String, LongAdder> adders) {
    Map<String, Long> out = new TreeMap<>();
    adders.forEach((k, v) -> out.put(k, v.sum()));
    return out;
  }

  private static void await(BooleanSupplier condition, int seconds, String what) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        System.out.println("timed out waiting for: " + what);
        return;
      }
      Thread.sleep(50);
    }
  }

  /** One socket: what it received per channel, and the offset to resume from. */
  private final class Subscriber {
    private final String bearer;
    private final Map<String, List<String>> ids = new ConcurrentHashMap<>();
    private final Map<String, List<Long>> offsets = new ConcurrentHashMap<>();
    private final Map<String, Long> lastOffset = new ConcurrentHashMap<>();
    private volatile int closes;
    private volatile int resets;
    private volatile int errors;

    Subscriber(String bearer) {
      this.bearer = bearer;
      for (String channel : channels) {
        ids.put(channel, new ArrayList<>());
        offsets.put(channel, new ArrayList<>());
      }
    }

    void connect() {
      wsClient.connect(new WebSocketConnectOptions().setHost("127.0.0.1").setPort(port).setURI("/v1/stream")
              .addHeader("Authorization", bearer))
          .onSuccess(this::opened)
          .onFailure(err -> vertx.setTimer(200, t -> connect()));
    }

    private void opened(WebSocket ws) {
      ws.closeHandler(v -> {
        if (!finished) {
          closes++;
          vertx.setTimer(100, t -> connect());
        }
      });
      ws.textMessageHandler(this::onFrame);
      for (String channel : channels) {
        JsonObject subscribe = new JsonObject().put("op", "subscribe").put("channel", channel);
        Long since = lastOffset.get(channel);
        if (since != null) {
          subscribe.put("since", since.toString());
        }
        ws.writeTextMessage(subscribe.encode());
      }
    }

    private synchronized void onFrame(String text) {
      JsonObject frame = new JsonObject(text);
      String channel = frame.getString("channel");
      switch (frame.getString("op")) {
        case "event" -> {
          long offset = Long.parseLong(frame.getString("offset"));
          ids.get(channel).add(frame.getJsonObject("event").getJsonObject("data").getString("postId"));
          offsets.get(channel).add(offset);
          lastOffset.merge(channel, offset, Math::max);
        }
        case "subscribed" -> {
          lastOffset.merge(channel, Long.parseLong(frame.getString("offset")), Math::max);
          subscribed.incrementAndGet();
        }
        case "reset" -> resets++;
        case "error" -> {
          errors++;
          System.out.println("error frame: " + text);
        }
        default -> { }
      }
    }

    synchronized List<String> received(String channel) {
      return List.copyOf(ids.get(channel));
    }

    synchronized boolean hasAll() {
      return channels.stream().allMatch(c -> new HashSet<>(ids.get(c)).containsAll(written.get(c)));
    }

    synchronized long offsetsNotGrowing(String channel) {
      List<Long> seen = offsets.get(channel);
      long bad = 0;
      for (int i = 1; i < seen.size(); i++) {
        if (seen.get(i) <= seen.get(i - 1)) {
          bad++;
        }
      }
      return bad;
    }
  }
}
