package io.spillway.api;

import io.spillway.testkit.ApiClient;
import io.spillway.testkit.Await;
import io.spillway.testkit.ShardDb;
import io.spillway.testkit.SpillwayApp;
import io.spillway.web.Ids;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A seeded fuzzer over every route of the API: bodies, path ids, cursors, query values and headers, mutated
 * from valid requests, for a bounded time ({@code -Dspillway.fuzz.seconds}, 15 by default; {@code
 * -Dspillway.fuzz.seed} replays a run). Every answer must be below 500, and a write that was refused (4xx)
 * must have changed nothing in any shard. A failure names the seed and the request.
 */
class FuzzTest {
  private static final long SECONDS = Long.getLong("spillway.fuzz.seconds", 15);
  private static final long SEED = Long.getLong("spillway.fuzz.seed", System.nanoTime());

  /** One route: method, template, the fields of its JSON body (null: no body), a valid body. */
  private record RouteSpec(HttpMethod method, String template, JsonObject body) {}

  /** Every API route; {@link #theFuzzerKnowsEveryRoute} holds the list to what the source mounts. */
  private static final List<RouteSpec> ROUTES = List.of(
      new RouteSpec(HttpMethod.POST, "/v1/users", new JsonObject().put("email", "x@example.com").put("name", "X").put("password", "a-good-password")),
      new RouteSpec(HttpMethod.GET, "/v1/users/:id", null),
      new RouteSpec(HttpMethod.PATCH, "/v1/users/:id", new JsonObject().put("name", "Renamed").put("bio", "about me")),
      new RouteSpec(HttpMethod.GET, "/v1/users/:id/posts", null),
      new RouteSpec(HttpMethod.PUT, "/v1/users/:id/follow", null),
      new RouteSpec(HttpMethod.DELETE, "/v1/users/:id/follow", null),
      new RouteSpec(HttpMethod.GET, "/v1/users/:id/followers", null),
      new RouteSpec(HttpMethod.GET, "/v1/users/:id/following", null),
      new RouteSpec(HttpMethod.POST, "/v1/auth/token", new JsonObject().put("email", "x@example.com").put("password", "a-good-password")),
      new RouteSpec(HttpMethod.POST, "/v1/api-keys", new JsonObject().put("name", "ci")),
      new RouteSpec(HttpMethod.GET, "/v1/api-keys", null),
      new RouteSpec(HttpMethod.DELETE, "/v1/api-keys/:id", null),
      new RouteSpec(HttpMethod.GET, "/v1/usage", null),
      new RouteSpec(HttpMethod.POST, "/v1/posts", new JsonObject().put("text", "hello")),
      new RouteSpec(HttpMethod.GET, "/v1/posts/:id", null),
      new RouteSpec(HttpMethod.DELETE, "/v1/posts/:id", null),
      new RouteSpec(HttpMethod.POST, "/v1/posts/:id/comments", new JsonObject().put("text", "nice")),
      new RouteSpec(HttpMethod.GET, "/v1/posts/:id/comments", null),
      new RouteSpec(HttpMethod.PUT, "/v1/posts/:id/like", null),
      new RouteSpec(HttpMethod.DELETE, "/v1/posts/:id/like", null),
      new RouteSpec(HttpMethod.GET, "/v1/feed", null),
      new RouteSpec(HttpMethod.POST, "/v1/stream/ticket", null),
      new RouteSpec(HttpMethod.GET, "/v1/stream", null),
      new RouteSpec(HttpMethod.GET, "/health/live", null),
      new RouteSpec(HttpMethod.GET, "/health/ready", null));

  @RegisterExtension
  static SpillwayApp app = SpillwayApp.create().withoutKafka().configure(tree -> {
    // Limits would answer most of a fuzzer's requests with 429 long before the handlers see them.
    tree.put("limits", new JsonObject().put("enabled", false));
    tree.put("auth", new JsonObject()
        .put("hashing", new JsonObject().put("maxInFlight", 1000).put("maxInFlightPerClient", 1000))
        .put("login", new JsonObject().put("lockoutAfterFailures", 10_000).put("maxFailuresPerEmail", 1_000_000)
            .put("maxFailuresPerAddress", 1_000_000)));
  });

  private static ApiClient.User user;
  private static ApiClient.User other;
  private static String apiKey;
  private static final List<String> IDS = new ArrayList<>();
  private static final List<ShardDb> SHARDS = new ArrayList<>();

  @BeforeAll
  static void seedData() {
    ApiClient api = new ApiClient(app.client());
    user = api.newUser("fuzzer");
    other = api.newUser("target");
    IDS.add(user.id());
    IDS.add(other.id());
    IDS.add(api.post(user, "a post of mine").getString("id"));
    IDS.add(api.post(other, "a post of theirs").getString("id"));
    JsonObject key = api.call(HttpMethod.POST, "/v1/api-keys", user, new JsonObject()).bodyAsJsonObject();
    apiKey = key.getString("key");
    IDS.add(key.getString("id"));
    app.databases().forEach(db -> SHARDS.add(new ShardDb(db)));
  }

  @AfterAll
  static void close() {
    SHARDS.forEach(ShardDb::close);
  }

  @Test
  void noInputMakesAServerErrorOrAPartialWrite() {
    Random random = new Random(SEED);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(SECONDS);
    int sent = 0;
    int refusedWrites = 0;
    while (System.nanoTime() < deadline) {
      RouteSpec route = ROUTES.get(random.nextInt(ROUTES.size()));
      Fuzzed request = fuzz(route, random);
      boolean write = route.method() != HttpMethod.GET;
      String before = write ? state() : null;
      HttpResponse<Buffer> r;
      try {
        HttpRequest<Buffer> req = send(request);
        r = (request.body() == null ? req.send() : req.sendBuffer(request.body())).await(30, TimeUnit.SECONDS);
      } catch (Exception e) {
        // The server may close the connection on a request it cannot decode; that is not a server error.
        continue;
      }
      sent++;
      assertTrue(r.statusCode() < 500, "seed " + SEED + ": " + request + " -> " + r.statusCode() + " " + r.bodyAsString());
      if (write && r.statusCode() >= 400) {
        refusedWrites++;
        assertEquals(before, state(), "seed " + SEED + ": a refused write changed the data: " + request + " -> "
            + r.statusCode() + " " + r.bodyAsString());
      }
    }
    assertTrue(sent >= 100, "the fuzzer sent " + sent + " requests in " + SECONDS + " s (seed " + SEED + ")");
    assertTrue(refusedWrites > 0, "the fuzzer's writes were all accepted: it did not fuzz");
  }

  @Test
  void theFuzzerKnowsEveryRoute() throws IOException {
    Pattern mount = Pattern.compile("routes\\.add(?:Json)?\\(HttpMethod\\.([A-Z]+), \"([^\"]+)\"");
    Set<String> mounted = new TreeSet<>();
    try (Stream<Path> files = Files.list(Path.of("src", "main", "java", "io", "spillway", "api"))) {
      for (Path f : files.filter(Files::isRegularFile).toList()) {
        Matcher m = mount.matcher(Files.readString(f));
        while (m.find()) {
          mounted.add(m.group(1) + " " + m.group(2));
        }
      }
    }
    Set<String> fuzzed = new TreeSet<>();
    ROUTES.forEach(r -> fuzzed.add(r.method().name() + " " + r.template()));
    assertTrue(fuzzed.containsAll(mounted), "routes the fuzzer does not know: " + minus(mounted, fuzzed));
  }

  private static Set<String> minus(Set<String> a, Set<String> b) {
    Set<String> out = new TreeSet<>(a);
    out.removeAll(b);
    return out;
  }

  /** A request as the fuzzer made it. */
  private record Fuzzed(HttpMethod method, String uri, Map<String, String> headers, Buffer body) {
    @Override
    public String toString() {
      String text = body == null ? "" : body.toString(StandardCharsets.UTF_8);
      return method + " " + uri + " " + headers + " " + (text.length() > 300 ? text.substring(0, 300) + "..." : text);
    }
  }

  private static HttpRequest<Buffer> send(Fuzzed f) {
    HttpRequest<Buffer> req = app.client().request(f.method(), f.uri());
    MultiMap headers = req.headers();
    f.headers().forEach(headers::add);
    return req;
  }

  private static Fuzzed fuzz(RouteSpec route, Random random) {
    String path = route.template();
    while (path.contains(":id")) {
      path = path.replaceFirst(":id", encode(id(random)));
    }
    StringBuilder uri = new StringBuilder(path);
    if (random.nextInt(3) == 0) {
      uri.append('?').append(pick(random, "limit", "cursor", "ticket", "access_token", "x", "limit"))
          .append('=').append(encode(queryValue(random)));
      if (random.nextBoolean()) {
        uri.append("&cursor=").append(encode(random.nextBoolean() ? Ids.cursor(Math.abs(random.nextLong())) : text(random)));
      }
    }
    Map<String, String> headers = new java.util.LinkedHashMap<>();
    switch (random.nextInt(6)) {
      case 0, 1, 2 -> headers.put("Authorization", "Bearer " + user.token());
      case 3 -> headers.put("Authorization", pick(random, "Bearer ", "Bearer x.y.z", "Basic abc", "Bearer " + other.token()
          + "x", "bearer " + user.token(), "Bearer " + ascii(random, 200)));
      case 4 -> headers.put("X-API-Key", random.nextBoolean() ? apiKey : "sk_" + random.nextLong() + "_" + ascii(random, 43));
      default -> { }
    }
    if (random.nextInt(5) == 0) {
      headers.put("Idempotency-Key", random.nextInt(4) == 0 ? ascii(random, 300) : ascii(random, 1 + random.nextInt(40)));
    }
    if (random.nextInt(8) == 0) {
      headers.put("If-None-Match", pick(random, "*", "\"abc\"", "W/\"x\", \"y\"", ascii(random, 20)));
    }
    if (random.nextInt(8) == 0) {
      headers.put("X-Forwarded-For", pick(random, "198.51.100.7", "2001:db8::7", "garbage, 1.2.3.4", "[::1]:80",
          ascii(random, 30)));
    }
    if (random.nextInt(10) == 0) {
      headers.put("X-Request-Id", ascii(random, random.nextInt(200)));
    }
    Buffer body = null;
    if (route.body() != null || random.nextInt(10) == 0) {
      headers.put("Content-Type", random.nextInt(10) == 0
          ? pick(random, "text/plain", "application/x-www-form-urlencoded", "application/problem+json", "application/json; charset=latin1")
          : "application/json");
      body = body(route.body() == null ? new JsonObject() : route.body(), random);
    }
    return new Fuzzed(route.method(), uri.toString(), headers, body);
  }

  private static String id(Random random) {
    return switch (random.nextInt(8)) {
      case 0, 1, 2, 3 -> IDS.get(random.nextInt(IDS.size()));
      case 4 -> Long.toString(random.nextLong());
      case 5 -> pick(random, "0", "-1", "9223372036854775807", "9223372036854775808", "99999999999999999999", "1e9",
          "0x10", " 1", "１２３", "..", "%", "null");
      default -> text(random);
    };
  }

  private static String queryValue(Random random) {
    return switch (random.nextInt(4)) {
      case 0 -> Integer.toString(random.nextInt(300) - 100);
      case 1 -> Ids.cursor(Math.abs(random.nextLong()));
      default -> text(random);
    };
  }

  /** A mutated JSON body, or bytes that are not JSON at all. */
  private static Buffer body(JsonObject valid, Random random) {
    if (random.nextInt(8) == 0) {
      byte[] raw = new byte[random.nextInt(64)];
      random.nextBytes(raw);
      return Buffer.buffer(pick(random, "", "{", "[]", "null", "\"text\"", "{\"a\":", "{}}", "[" .repeat(500))
          + new String(raw, StandardCharsets.ISO_8859_1));
    }
    JsonObject body = valid.copy();
    int mutations = 1 + random.nextInt(3);
    for (int i = 0; i < mutations; i++) {
      List<String> fields = new ArrayList<>(body.fieldNames());
      String field = fields.isEmpty() || random.nextInt(5) == 0 ? pick(random, "extra", "plan", "id", "__proto__", text(random))
          : fields.get(random.nextInt(fields.size()));
      switch (random.nextInt(5)) {
        case 0 -> body.remove(field);
        default -> body.put(field, value(random, 0));
      }
    }
    return body.toBuffer();
  }

  private static Object value(Random random, int depth) {
    return switch (random.nextInt(depth > 3 ? 6 : 9)) {
      case 0 -> null;
      case 1 -> random.nextBoolean();
      case 2 -> random.nextLong();
      case 3 -> random.nextDouble() * 1e300;
      case 4, 5 -> text(random);
      case 6 -> new JsonArray().add(value(random, depth + 1)).add(value(random, depth + 1));
      case 7 -> new JsonObject().put(text(random), value(random, depth + 1));
      default -> "x".repeat(random.nextInt(6000));
    };
  }

  /** Text that makes parsers and databases trip: control characters, NUL, surrogates, long and odd strings. */
  private static String text(Random random) {
    StringBuilder out = new StringBuilder();
    int n = random.nextInt(20);
    for (int i = 0; i < n; i++) {
      out.append(switch (random.nextInt(12)) {
        case 0 -> "\u0000";
        case 1 -> "\ud800";
        case 2 -> "😀";
        case 3 -> "\u202e";
        case 4 -> "'; DROP TABLE users; --";
        case 5 -> "%00";
        case 6 -> "../";
        case 7 -> "\r\n";
        case 8 -> "\\u0000";
        case 9 -> "{}";
        case 10 -> Character.toString((char) random.nextInt(0x10000));
        default -> ascii(random, 5);
      });
    }
    return out.toString();
  }

  private static String ascii(Random random, int length) {
    StringBuilder out = new StringBuilder(length);
    for (int i = 0; i < length; i++) {
      out.append((char) (0x21 + random.nextInt(0x5e)));
    }
    return out.toString();
  }

  private static String encode(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
  }

  private static String pick(Random random, String... options) {
    return options[random.nextInt(options.length)];
  }

  /**
   * Everything a write can change, on every shard: row counts, the counters, profiles and plans, keys, the
   * idempotency records and the outbox (no relay runs here, so its rows stay). Asynchronous bookkeeping a
   * request may leave behind (an API key's last use, a re-hashed password) is left out.
   */
  private static String state() {
    StringBuilder out = new StringBuilder();
    for (ShardDb db : SHARDS) {
      out.append(db.query("""
          SELECT (SELECT count(*) FROM users), (SELECT count(*) FROM email_directory),
                 (SELECT count(*) FROM posts), (SELECT count(*) FROM comments), (SELECT count(*) FROM likes),
                 (SELECT count(*) FROM following), (SELECT count(*) FROM followers),
                 (SELECT count(*) FROM api_keys), (SELECT count(*) FROM api_keys WHERE revoked_at IS NOT NULL),
                 (SELECT count(*) FROM idempotency_keys), (SELECT count(*) FROM outbox),
                 (SELECT md5(coalesce(string_agg(concat_ws('|', u.id, u.name, u.bio, u.plan, c.post_count,
                    c.follower_count, c.following_count), ',' ORDER BY u.id), ''))
                    FROM users u JOIN counted_users c ON c.id = u.id),
                 (SELECT md5(coalesce(string_agg(concat_ws('|', id, like_count, comment_count), ',' ORDER BY id), ''))
                    FROM counted_posts)
          """).get(0).toJson().encode());
    }
    return out.toString();
  }
}
