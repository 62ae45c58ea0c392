package io.spillway.auth;

import io.spillway.testkit.ApiClient;
import io.spillway.testkit.Await;
import io.spillway.testkit.Scrape;
import io.spillway.testkit.ShardDb;
import io.spillway.testkit.SpillwayApp;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Password hashes on a real node: a standard format at the configured strength, upgraded at login; a bounded
 * executor that turns a flood away with 503 and keeps one client to its share; no hash for a taken email.
 */
class PasswordHashingTest {
  /** Slow enough that a hash is still running when the requests fired with it arrive. */
  private static final int ITERATIONS = 1_000_000;

  @RegisterExtension
  static SpillwayApp app = SpillwayApp.create().withoutKafka().shards(1).configure(tree -> tree.put("auth",
      new JsonObject().put("passwordIterations", ITERATIONS)
          .put("hashing", new JsonObject().put("threads", 1).put("maxInFlight", 4).put("maxInFlightPerClient", 1)
              .put("retryAfterSeconds", 2))));

  private static io.vertx.ext.web.client.WebClient concurrent;

  /** Bursts are sent at once: a client with a connection per request. */
  private static io.vertx.ext.web.client.WebClient client() {
    if (concurrent == null) {
      concurrent = app.concurrentClient().web();
    }
    return concurrent;
  }

  @Test
  void hashesArePhcStringsAtTheConfiguredStrengthAndOlderOnesStillVerify() throws Exception {
    String phc = PasswordHasher.hashNow("correct horse", 600_000);
    assertTrue(phc.matches("\\$pbkdf2-sha256\\$i=600000,l=32\\$[A-Za-z0-9+/]{22}\\$[A-Za-z0-9+/]{43}"), phc);
    assertTrue(PasswordHasher.matches("correct horse", phc));
    assertFalse(PasswordHasher.matches("correct horsE", phc));
    String legacy = legacy("correct horse", 1000);
    assertTrue(PasswordHasher.matches("correct horse", legacy));
    assertFalse(PasswordHasher.matches("x", "$pbkdf2-sha256$i=2000000000,l=32$AAAA$AAAA"), "absurd parameters never match");
    PasswordHasher hasher = hasher();
    assertTrue(hasher.needsRehash(legacy));
    assertTrue(hasher.needsRehash(phc), "600000 is not this node's " + ITERATIONS);
    assertFalse(hasher.needsRehash(PasswordHasher.hashNow("x", ITERATIONS)));
  }

  @Test
  void aLoginReplacesAnOlderHashWithOneAtTheConfiguredStrength() throws Exception {
    ApiClient api = new ApiClient(app.client());
    ApiClient.User u = api.newUser("veteran");
    try (ShardDb db = new ShardDb(app.databases().get(0))) {
      db.query("UPDATE users SET password_hash = $1 WHERE id = $2", legacy("password-veteran", 1000), Long.parseLong(u.id()));
      assertEquals(200, login(u.email(), "password-veteran", "192.0.2.70").statusCode());
      Await.until("the hash to be replaced", Duration.ofSeconds(30), () -> hash(db, u).startsWith(
          "$pbkdf2-sha256$i=" + ITERATIONS + ",l=32$"));
    }
    assertEquals(200, login(u.email(), "password-veteran", "192.0.2.70").statusCode(), "the new hash verifies");
    assertEquals(401, login(u.email(), "password-veteran!", "192.0.2.70").statusCode());
  }

  @Test
  void aFloodOfLoginsIsTurnedAwayWith503AndOneClientGetsItsShareOnly() {
    PasswordHasher hasher = hasher();
    // One client asks for three checks at once, three others for one each: the executor holds 4.
    List<Future<HttpResponse<Buffer>>> greedy = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      greedy.add(loginAsync("nobody-" + i + "@example.com", "guess", "192.0.2.80"));
    }
    List<Future<HttpResponse<Buffer>>> others = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      others.add(loginAsync("someone-" + i + "@example.com", "guess", "192.0.2." + (90 + i)));
    }
    Await.until("four checks on the executor", Duration.ofSeconds(10), () -> hasher.inFlight() == 4);
    List<Future<HttpResponse<Buffer>>> flood = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      flood.add(loginAsync("crowd-" + i + "@example.com", "guess", "192.0.2." + (100 + i)));
    }
    Await.result(Future.join(Future.join(greedy), Future.join(others), Future.join(flood)));
    Await.until("the executor to drain", Duration.ofSeconds(30), () -> hasher.inFlight() == 0);

    assertEquals(List.of(401, 503, 503), statuses(greedy), "one client, one hash at a time");
    assertEquals(List.of(401, 401, 401), statuses(others), "the others still had their turn");
    HttpResponse<Buffer> busy = greedy.stream().map(Future::result).filter(r -> r.statusCode() == 503).findFirst().orElseThrow();
    assertEquals("2", busy.getHeader("Retry-After"));
    assertEquals("https://spillway.dev/problems/overloaded", busy.bodyAsJsonObject().getString("type"));
    assertEquals(List.of(503, 503, 503, 503, 503, 503), statuses(flood), "the executor was full");
  }

  @Test
  void aTakenEmailIsAnsweredWithoutHashingAndAnUnknownOneCostsAVerificationLikeAKnownOne() {
    ApiClient api = new ApiClient(app.client());
    ApiClient.User u = api.newUser("original");
    Scrape before = Scrape.of(app.client(), app.managementPort());
    HttpResponse<Buffer> taken = api.call(HttpMethod.POST, "/v1/users", null, new JsonObject().put("email", u.email())
        .put("name", "copycat").put("password", "another-password"));
    assertEquals(409, taken.statusCode(), taken.bodyAsString());
    Scrape after = Scrape.of(app.client(), app.managementPort());
    assertEquals(0, hashes(after, "hash") - hashes(before, "hash"), "no hash for a sign-up that cannot succeed");

    assertEquals(401, login("unknown-" + u.email(), "guess", "192.0.2.120").statusCode());
    assertEquals(401, login(u.email(), "guess", "192.0.2.121").statusCode());
    Scrape end = Scrape.of(app.client(), app.managementPort());
    assertEquals(2, hashes(end, "verify") - hashes(after, "verify"), "one derivation each, known email or not");
  }

  private static PasswordHasher hasher() {
    return app.node().vertx().sharedData().<String, PasswordHasher>getLocalMap("spillway.passwords").get("node");
  }

  private static double hashes(Scrape s, String operation) {
    return s.value("spillway_password_hashes_total", "operation=\"" + operation + "\"", "result=\"done\"");
  }

  private static List<Integer> statuses(List<Future<HttpResponse<Buffer>>> all) {
    return all.stream().map(f -> f.result().statusCode()).sorted().toList();
  }

  private static Future<HttpResponse<Buffer>> loginAsync(String email, String password, String from) {
    return client().post("/v1/auth/token").putHeader("X-Forwarded-For", from)
        .sendJsonObject(new JsonObject().put("email", email).put("password", password));
  }

  private static HttpResponse<Buffer> login(String email, String password, String from) {
    return Await.result(loginAsync(email, password, from));
  }

  private static String hash(ShardDb db, ApiClient.User u) {
    return db.query("SELECT password_hash FROM users WHERE id = $1", Long.parseLong(u.id())).get(0).getString(0);
  }

  /** The format hashes had before PHC strings: {@code pbkdf2-sha256$<iterations>$<salt>$<hash>}. */
  static String legacy(String password, int iterations) throws Exception {
    byte[] salt = new byte[16];
    byte[] hash = SecretKeyFactory.getInstance("PBKDF2WithHmacSHA256")
        .generateSecret(new PBEKeySpec(password.toCharArray(), salt, iterations, 256)).getEncoded();
    Base64.Encoder b64 = Base64.getEncoder().withoutPadding();
    return "pbkdf2-sha256$" + iterations + "$" + b64.encodeToString(salt) + "$" + b64.encodeToString(hash);
  }
}
