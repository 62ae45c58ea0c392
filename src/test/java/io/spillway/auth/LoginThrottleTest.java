package io.spillway.auth;

import io.spillway.testkit.ApiClient;
import io.spillway.testkit.Await;
import io.spillway.testkit.SpillwayApp;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Failed logins against a real node: a concurrent burst gets no more guesses than the limit, a lockout binds
 * one email from one address (never the account for everyone), a right password gives its attempt back, and
 * an email has a looser cap across addresses. (How lockouts grow: {@code LoginAttemptsTest}.)
 */
class LoginThrottleTest {
  @RegisterExtension
  static SpillwayApp app = SpillwayApp.create().withoutKafka().shards(1).configure(tree -> tree.put("auth",
      new JsonObject()
          .put("login", new JsonObject().put("windowSeconds", 600).put("lockoutAfterFailures", 5).put("lockoutSeconds", 60)
              .put("maxLockoutSeconds", 600).put("maxFailuresPerEmail", 12).put("maxFailuresPerAddress", 1000))
          // The throttle alone decides here: the hashing executor lets every check through at once.
          .put("hashing", new JsonObject().put("maxInFlight", 100).put("maxInFlightPerClient", 100))));

  private static io.vertx.ext.web.client.WebClient concurrent;

  /** Bursts are sent at once: a client with a connection per request. */
  private static io.vertx.ext.web.client.WebClient client() {
    if (concurrent == null) {
      concurrent = app.concurrentClient().web();
    }
    return concurrent;
  }

  private static Future<HttpResponse<Buffer>> login(String email, String password, String from) {
    return client().post("/v1/auth/token").putHeader("X-Forwarded-For", from)
        .sendJsonObject(new JsonObject().put("email", email).put("password", password));
  }

  private static int status(String email, String password, String from) {
    return Await.result(login(email, password, from)).statusCode();
  }

  @Test
  void aConcurrentBurstOfGuessesGetsNoMoreThanTheLimit() {
    ApiClient.User u = new ApiClient(app.client()).newUser("burst");
    List<Future<HttpResponse<Buffer>>> all = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      all.add(login(u.email(), "guess-" + i, "198.51.100.10"));
    }
    Await.result(Future.join(all));
    long checked = all.stream().filter(f -> f.result().statusCode() == 401).count();
    long refused = all.stream().filter(f -> f.result().statusCode() == 429).count();
    assertEquals(5, checked, "five passwords were checked, however the 40 guesses were timed");
    assertEquals(35, refused);
    HttpResponse<Buffer> r = all.stream().map(Future::result).filter(x -> x.statusCode() == 429).findFirst().orElseThrow();
    assertEquals("https://spillway.dev/problems/rate-limited/login-lockout", r.bodyAsJsonObject().getString("type"));
    assertTrue(Long.parseLong(r.getHeader("Retry-After")) >= 1);
  }

  @Test
  void aLockoutBindsTheEmailFromOneAddressNotTheAccount() {
    ApiClient.User u = new ApiClient(app.client()).newUser("target");
    String password = "password-target";
    for (int i = 0; i < 5; i++) {
      assertEquals(401, status(u.email(), "guess-" + i, "198.51.100.20"));
    }
    assertEquals(429, status(u.email(), password, "198.51.100.20"), "the guessing address is locked out, even with the password");
    assertEquals(200, status(u.email(), password, "203.0.113.20"), "the owner, elsewhere, still logs in");
  }

  @Test
  void aRightPasswordGivesItsAttemptBackAndClearsThePair() {
    ApiClient.User u = new ApiClient(app.client()).newUser("typo");
    // Eight failures of one pair, more than the five that lock it out, but a success after every four.
    for (int round = 0; round < 2; round++) {
      for (int i = 0; i < 4; i++) {
        assertEquals(401, status(u.email(), "typo-" + i, "198.51.100.30"), "round " + round);
      }
      assertEquals(200, status(u.email(), "password-typo", "198.51.100.30"), "round " + round);
    }
  }

  @Test
  void anEmailTakesALooserCapOfFailuresFromAllAddresses() {
    ApiClient.User u = new ApiClient(app.client()).newUser("spread");
    for (int a = 0; a < 3; a++) {
      for (int i = 0; i < 4; i++) {
        assertEquals(401, status(u.email(), "guess-" + i, "198.51.100." + (50 + a)));
      }
    }
    HttpResponse<Buffer> capped = Await.result(login(u.email(), "guess", "198.51.100.60"));
    assertEquals(429, capped.statusCode());
    assertEquals("https://spillway.dev/problems/rate-limited/login-failures-email", capped.bodyAsJsonObject().getString("type"));
  }
}
