package io.spillway.limit;

import io.spillway.testkit.ApiClient;
import io.spillway.testkit.Await;
import io.spillway.testkit.SpillwayApp;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.security.SecureRandom;
import java.util.Base64;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A flood of made-up credentials from one address is refused by address before any of them is looked up. */
class CredentialFloodTest {
  private static final int LIMIT = 30;

  @RegisterExtension
  static SpillwayApp app = SpillwayApp.create().withoutKafka().configure(tree -> tree.put("limits",
      new JsonObject().put("policies", new JsonArray()
          .add(new JsonObject().put("name", "per-address").put("algorithm", "fixed-window").put("limit", LIMIT)
              .put("windowSeconds", 3600).put("key", new JsonArray().add("ip"))
              .put("routes", new JsonArray().add(new JsonObject().put("path", "/v1/*")))))));

  @Test
  void madeUpKeysAndTokensAreRefusedByAddressBeforeTheyAreChecked() {
    SecureRandom random = new SecureRandom();
    int unauthorized = 0;
    int limited = 0;
    for (int i = 0; i < LIMIT + 20; i++) {
      byte[] secret = new byte[32];
      random.nextBytes(secret);
      String key = "sk_" + (Math.abs(random.nextLong()) | 1) + "_" + Base64.getUrlEncoder().withoutPadding().encodeToString(secret);
      var req = app.client().get("/v1/feed").putHeader("X-Forwarded-For", "198.51.100.7");
      if (i % 2 == 0) {
        req.putHeader("X-API-Key", key);
      } else {
        req.putHeader("Authorization", "Bearer not.a.token");
      }
      HttpResponse<Buffer> r = Await.result(req.send());
      if (r.statusCode() == 401) {
        unauthorized++;
      } else {
        assertEquals(429, r.statusCode(), r.bodyAsString());
        assertEquals("https://spillway.dev/problems/rate-limited/per-address", r.bodyAsJsonObject().getString("type"));
        assertTrue(Long.parseLong(r.getHeader("Retry-After")) > 0);
        limited++;
      }
    }
    assertEquals(LIMIT, unauthorized, "the address's limit, no more, got as far as a credential check");
    assertEquals(20, limited);

    // Another address is not affected, and a good credential from it works.
    ApiClient.User u = new ApiClient(app.client()).newUser("bystander");
    HttpResponse<Buffer> ok = Await.result(app.client().get("/v1/feed").putHeader("X-Forwarded-For", "203.0.113.9")
        .putHeader("Authorization", "Bearer " + u.token()).send());
    assertEquals(200, ok.statusCode(), ok.bodyAsString());
  }
}
