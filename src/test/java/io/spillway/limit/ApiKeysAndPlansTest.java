package io.spillway.limit;

import io.spillway.testkit.ApiClient;
import io.spillway.testkit.Await;
import io.spillway.testkit.SpillwayApp;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** API keys end to end: created once, authenticate as their owner on their plan, count against its quota. */
class ApiKeysAndPlansTest {
  @RegisterExtension
  static SpillwayApp app = SpillwayApp.create().withoutKafka().configure(tree -> {
    tree.getJsonObject("auth").put("apiKeyCacheSeconds", 1);
    tree.put("limits", new JsonObject().put("policies", new JsonArray()
        .add(new JsonObject().put("name", "tiny-quota").put("algorithm", "quota").put("limit", 5).put("period", "day")
            .put("key", new JsonArray().add("apiKey")).put("plans", new JsonArray().add("tiny")))
        .add(new JsonObject().put("name", "free-throttle").put("algorithm", "token-bucket").put("rate", 100)
            .put("burst", 100).put("key", new JsonArray().add("apiKey")).put("plans", new JsonArray().add("free")))));
  });

  private static HttpResponse<Buffer> withKey(String key, String path) {
    return Await.result(app.client().get(path).putHeader("X-API-Key", key).send());
  }

  @Test
  void aKeyIsShownOnceListedByPrefixAndAuthenticatesAsItsOwnerUntilRevoked() {
    ApiClient api = new ApiClient(app.client());
    ApiClient.User u = api.newUser("keyholder");
    HttpResponse<Buffer> created = api.call(HttpMethod.POST, "/v1/api-keys", u, new JsonObject().put("name", "ci"));
    assertEquals(201, created.statusCode(), created.bodyAsString());
    String key = created.bodyAsJsonObject().getString("key");
    String keyId = created.bodyAsJsonObject().getString("id");
    assertTrue(key.startsWith("sk_" + keyId + "_"), key);
    assertEquals("free", created.bodyAsJsonObject().getString("plan"));

    JsonObject listed = api.get("/v1/api-keys", u).bodyAsJsonObject().getJsonArray("items").getJsonObject(0);
    assertEquals(keyId, listed.getString("id"));
    assertNull(listed.getString("key"), "the key is never shown again");
    assertFalse(listed.encode().contains(key.substring(key.indexOf('_', 3) + 5)), "not even its secret part");
    assertTrue(key.startsWith(listed.getString("prefix").replace("...", "")));

    HttpResponse<Buffer> self = withKey(key, "/v1/users/" + u.id());
    assertEquals(200, self.statusCode());
    assertEquals(u.email(), self.bodyAsJsonObject().getString("email"), "authenticated as the key's owner");
    assertEquals(201, Await.result(app.client().post("/v1/posts").putHeader("X-API-Key", key)
        .sendJsonObject(new JsonObject().put("text", "posted with a key"))).statusCode());
    assertTrue(api.get("/v1/api-keys", u).bodyAsJsonObject().getJsonArray("items").getJsonObject(0)
        .getString("lastUsedAt") != null);

    assertEquals(204, api.call(HttpMethod.DELETE, "/v1/api-keys/" + keyId, u, null).statusCode());
    Await.until("the revoked key to stop working (cache TTL 1 s)", Duration.ofSeconds(10),
        () -> withKey(key, "/v1/users/" + u.id()).statusCode() == 401);
    assertEquals(0, api.get("/v1/api-keys", u).bodyAsJsonObject().getJsonArray("items").size());
    assertEquals(404, api.call(HttpMethod.DELETE, "/v1/api-keys/" + keyId, api.newUser("stranger"), null).statusCode());
  }

  @Test
  void malformedUnknownAndTamperedKeysAre401() {
    ApiClient api = new ApiClient(app.client());
    ApiClient.User u = api.newUser("tamperer");
    String key = api.call(HttpMethod.POST, "/v1/api-keys", u, new JsonObject()).bodyAsJsonObject().getString("key");
    for (String bad : new String[] {"nope", "sk_", "sk_abc_def", key.substring(0, key.length() - 1) + (key.endsWith("A") ? "B" : "A"),
        key.replaceFirst("sk_\\d+_", "sk_1_"), key + "x"}) {
      HttpResponse<Buffer> r = withKey(bad, "/v1/users/" + u.id());
      assertEquals(401, r.statusCode(), bad + ": " + r.bodyAsString());
      assertEquals("https://spillway.dev/problems/invalid-api-key", r.bodyAsJsonObject().getString("type"));
    }
  }

  @Test
  void aPlansQuotaRunsOutWithADistinctProblemAndRetryAfterToTheEndOfTheDay() {
    ApiClient api = new ApiClient(app.client());
    ApiClient.User u = api.newUser("quota");
    HttpResponse<Buffer> created = api.call(HttpMethod.POST, "/v1/api-keys", u, new JsonObject().put("plan", "tiny"));
    String key = created.bodyAsJsonObject().getString("key");
    assertEquals(400, api.call(HttpMethod.POST, "/v1/api-keys", u, new JsonObject().put("plan", "platinum")).statusCode());

    JsonObject usage = withKey(key, "/v1/usage").bodyAsJsonObject();
    assertEquals("tiny", usage.getString("plan"));
    JsonObject quota = usage.getJsonArray("limits").getJsonObject(0);
    assertEquals("tiny-quota", quota.getString("policy"));
    assertEquals(5, quota.getLong("limit"));
    assertEquals(4, quota.getLong("remaining"), "the usage call itself counts");

    for (int i = 0; i < 4; i++) {
      assertEquals(200, withKey(key, "/v1/users/" + u.id()).statusCode());
    }
    HttpResponse<Buffer> over = withKey(key, "/v1/users/" + u.id());
    assertEquals(429, over.statusCode());
    assertEquals("https://spillway.dev/problems/quota-exceeded", over.bodyAsJsonObject().getString("type"));
    long retryAfter = Long.parseLong(over.getHeader("Retry-After"));
    ZonedDateTime now = ZonedDateTime.now(ZoneOffset.UTC);
    long toMidnight = Duration.between(now, now.toLocalDate().plusDays(1).atStartOfDay(ZoneOffset.UTC)).getSeconds();
    assertTrue(Math.abs(retryAfter - toMidnight) <= 5, "Retry-After " + retryAfter + " vs " + toMidnight + " to midnight UTC");
    assertEquals(200, api.get("/v1/users/" + u.id(), u).statusCode(), "the quota binds the key, not the user's token");
  }
}
