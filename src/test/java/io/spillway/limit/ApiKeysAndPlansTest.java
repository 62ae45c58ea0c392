package io.spillway.limit;

import io.micrometer.core.instrument.Timer;
import io.spillway.auth.JwtTokens;
import io.spillway.testkit.ApiClient;
import io.spillway.testkit.Await;
import io.spillway.testkit.SpillwayApp;
import io.vertx.core.Future;
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
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * API keys end to end: created once, authenticate as their owner; the plan is the account's (set by an
 * administrator) and its quota counts per account whichever credential is used; keys per account are capped
 * and only a bearer token manages them.
 */
class ApiKeysAndPlansTest {
  @RegisterExtension
  static SpillwayApp app = SpillwayApp.create().withoutKafka().configure(tree -> {
    tree.put("auth", new JsonObject().put("apiKeyCacheSeconds", 1).put("apiKeyUsedFlushSeconds", 1)
        .put("maxApiKeysPerAccount", 3));
    tree.put("limits", new JsonObject().put("policies", new JsonArray()
        .add(new JsonObject().put("name", "tiny-quota").put("algorithm", "quota").put("limit", 5).put("period", "day")
            .put("key", new JsonArray().add("user")).put("plans", new JsonArray().add("tiny")))
        .add(new JsonObject().put("name", "free-throttle").put("algorithm", "token-bucket").put("rate", 100)
            .put("burst", 100).put("key", new JsonArray().add("user")).put("plans", new JsonArray().add("free")))));
  });

  private static HttpResponse<Buffer> withKey(String key, String path) {
    return Await.result(app.client().get(path).putHeader("X-API-Key", key).send());
  }

  private static HttpResponse<Buffer> setPlan(String userId, Object plan) {
    return Await.result(app.admin(HttpMethod.PUT, "/admin/accounts/" + userId + "/plan")
        .sendJsonObject(new JsonObject().put("plan", plan)));
  }

  @Test
  void aKeyIsShownOnceListedByPrefixAndAuthenticatesAsItsOwnerUntilRevoked() {
    ApiClient api = new ApiClient(app.client());
    ApiClient.User u = api.newUser("keyholder");
    HttpResponse<Buffer> created = api.call(HttpMethod.POST, "/v1/api-keys", u, new JsonObject().put("name", "ci"));
    assertEquals(201, created.statusCode(), created.bodyAsString());
    assertEquals("no-store", created.getHeader("Cache-Control"), "a response showing a secret is never stored");
    String key = created.bodyAsJsonObject().getString("key");
    String keyId = created.bodyAsJsonObject().getString("id");
    assertTrue(key.startsWith("sk_" + keyId + "_"), key);
    assertEquals("free", created.bodyAsJsonObject().getString("plan"), "the account's plan: the default");

    JsonObject listed = api.get("/v1/api-keys", u).bodyAsJsonObject().getJsonArray("items").getJsonObject(0);
    assertEquals(keyId, listed.getString("id"));
    assertNull(listed.getString("key"), "the key is never shown again");
    assertFalse(listed.encode().contains(key.substring(key.indexOf('_', 3) + 5)), "not even its secret part");
    assertTrue(key.startsWith(listed.getString("prefix").replace("...", "")));
    assertNull(listed.getString("lastUsedAt"));

    HttpResponse<Buffer> self = withKey(key, "/v1/users/" + u.id());
    assertEquals(200, self.statusCode());
    assertEquals(u.email(), self.bodyAsJsonObject().getString("email"), "authenticated as the key's owner");
    assertEquals(201, Await.result(app.client().post("/v1/posts").putHeader("X-API-Key", key)
        .sendJsonObject(new JsonObject().put("text", "posted with a key"))).statusCode());
    Await.until("the key's use to be recorded", Duration.ofSeconds(10), () -> api.get("/v1/api-keys", u)
        .bodyAsJsonObject().getJsonArray("items").getJsonObject(0).getString("lastUsedAt") != null);

    assertEquals(204, api.call(HttpMethod.DELETE, "/v1/api-keys/" + keyId, u, null).statusCode());
    Await.until("the revoked key to stop working (cache TTL 1 s)", Duration.ofSeconds(10),
        () -> withKey(key, "/v1/users/" + u.id()).statusCode() == 401);
    assertEquals(0, api.get("/v1/api-keys", u).bodyAsJsonObject().getJsonArray("items").size());
    assertEquals(404, api.call(HttpMethod.DELETE, "/v1/api-keys/" + keyId, api.newUser("stranger"), null).statusCode());
  }

  @Test
  void malformedUnknownAndTamperedKeysAre401AndAWrongSecretIsNeverRecordedAsAUse() {
    ApiClient api = new ApiClient(app.client());
    ApiClient.User u = api.newUser("tamperer");
    String key = api.call(HttpMethod.POST, "/v1/api-keys", u, new JsonObject()).bodyAsJsonObject().getString("key");
    String tampered = key.substring(0, key.length() - 1) + (key.endsWith("A") ? "B" : "A");
    for (String bad : new String[] {"nope", "sk_", "sk_abc_def", tampered, key.replaceFirst("sk_\\d+_", "sk_1_"), key + "x"}) {
      HttpResponse<Buffer> r = withKey(bad, "/v1/users/" + u.id());
      assertEquals(401, r.statusCode(), bad + ": " + r.bodyAsString());
      assertEquals("https://spillway.dev/problems/invalid-api-key", r.bodyAsJsonObject().getString("type"));
    }
    // Another key of the account is used for real: once its use is on record, a flush has run since the
    // tampered key was tried, and the tampered key's id must not have been recorded.
    HttpResponse<Buffer> second = api.call(HttpMethod.POST, "/v1/api-keys", u, new JsonObject().put("name", "real"));
    String real = second.bodyAsJsonObject().getString("key");
    String realId = second.bodyAsJsonObject().getString("id");
    assertEquals(200, withKey(real, "/v1/users/" + u.id()).statusCode());
    Await.until("the real key's use to be recorded", Duration.ofSeconds(10), () -> lastUsed(api, u, realId) != null);
    assertEquals(401, withKey(tampered, "/v1/users/" + u.id()).statusCode());
    String tamperedId = key.substring(3, key.indexOf('_', 3));
    assertEquals(200, withKey(real, "/v1/users/" + u.id()).statusCode());
    String before = lastUsed(api, u, realId);
    Await.until("another flush", Duration.ofSeconds(10), () -> !before.equals(lastUsed(api, u, realId)));
    assertNull(lastUsed(api, u, tamperedId), "a key whose secret did not match was never used");
  }

  @Test
  void thePlanIsTheAccountsAndItsQuotaCountsWhicheverCredentialIsUsed() {
    ApiClient api = new ApiClient(app.client());
    ApiClient.User u = api.newUser("quota");
    HttpResponse<Buffer> chosen = api.call(HttpMethod.POST, "/v1/api-keys", u, new JsonObject().put("plan", "tiny"));
    assertEquals(400, chosen.statusCode(), "a caller cannot pick a plan: " + chosen.bodyAsString());
    assertTrue(chosen.bodyAsJsonObject().getString("detail").startsWith("plan:"), chosen.bodyAsString());
    String key = api.call(HttpMethod.POST, "/v1/api-keys", u, new JsonObject()).bodyAsJsonObject().getString("key");
    String k2 = api.call(HttpMethod.POST, "/v1/api-keys", u, new JsonObject()).bodyAsJsonObject().getString("key");

    assertEquals(401, Await.result(app.client().put(app.managementPort(), "127.0.0.1", "/admin/accounts/" + u.id() + "/plan")
        .sendJsonObject(new JsonObject().put("plan", "tiny"))).statusCode(), "only an administrator sets a plan");
    HttpResponse<Buffer> unknown = setPlan(u.id(), "platinum");
    assertEquals(400, unknown.statusCode(), unknown.bodyAsString());
    assertTrue(unknown.bodyAsJsonObject().getString("detail").contains("known plans: free, tiny"), unknown.bodyAsString());
    assertEquals(404, setPlan("12345", "tiny").statusCode(), "no such account");
    HttpResponse<Buffer> set = setPlan(u.id(), "tiny");
    assertEquals(200, set.statusCode(), set.bodyAsString());
    assertEquals("tiny", set.bodyAsJsonObject().getString("plan"));

    JsonObject usage = withKey(key, "/v1/usage").bodyAsJsonObject();
    assertEquals("tiny", usage.getString("plan"));
    JsonObject quota = usage.getJsonArray("limits").getJsonObject(0);
    assertEquals("tiny-quota", quota.getString("policy"));
    assertEquals(5, quota.getLong("limit"));
    assertEquals(4, quota.getLong("remaining"), "the usage call itself counts");

    // One quota for the account: the key and the bearer token draw from it alike.
    assertEquals(200, withKey(key, "/v1/users/" + u.id()).statusCode());
    assertEquals(200, api.get("/v1/users/" + u.id(), u).statusCode());
    assertEquals(200, withKey(key, "/v1/users/" + u.id()).statusCode());
    assertEquals(200, api.get("/v1/users/" + u.id(), u).statusCode());
    for (HttpResponse<Buffer> over : List.of(api.get("/v1/users/" + u.id(), u), withKey(key, "/v1/users/" + u.id()))) {
      assertEquals(429, over.statusCode(), over.bodyAsString());
      assertEquals("https://spillway.dev/problems/quota-exceeded", over.bodyAsJsonObject().getString("type"));
      long retryAfter = Long.parseLong(over.getHeader("Retry-After"));
      ZonedDateTime now = ZonedDateTime.now(ZoneOffset.UTC);
      long toMidnight = Duration.between(now, now.toLocalDate().plusDays(1).atStartOfDay(ZoneOffset.UTC)).getSeconds();
      assertTrue(Math.abs(retryAfter - toMidnight) <= 5, "Retry-After " + retryAfter + " vs " + toMidnight + " to midnight UTC");
    }
    assertEquals(429, withKey(k2, "/v1/users/" + u.id()).statusCode(), "a second key is not a second quota");

    assertEquals(200, setPlan(u.id(), null).statusCode(), "back to the default plan");
    Await.until("the default plan to apply", Duration.ofSeconds(10), () -> "free".equals(withKey(key, "/v1/usage")
        .bodyAsJsonObject().getString("plan")));
  }

  @Test
  void aTokenOfAnAccountThatIsGoneIsOnTheDefaultPlanWithoutALookupPerRequest() {
    // A valid token whose account does not exist (deleted, or never on this deployment).
    String gone = "9000000000000001";
    String token = new JwtTokens(app.clientVertx(), app.config().jwt()).issue(gone, null);
    long before = planLookups();
    int requests = 10;
    for (int i = 0; i < requests; i++) {
      HttpResponse<Buffer> r = Await.result(app.client().get("/v1/users/" + gone).bearerTokenAuthentication(token)
          .send());
      assertEquals(404, r.statusCode(), r.bodyAsString());
      assertTrue(r.getHeader("RateLimit-Policy").startsWith("\"free-throttle\""), "on the default plan");
    }
    long lookups = planLookups() - before;
    // One, then the cached answer (a second or third only if the 1 s cache ran out between the requests).
    assertTrue(lookups >= 1 && lookups <= 3, requests + " requests looked the plan up " + lookups + " times");
  }

  private static long planLookups() {
    Timer t = app.node().telemetry().registry().find("spillway_data_request").tag("operation", "GetAccountPlan")
        .timer();
    return t == null ? 0 : t.count();
  }

  @Test
  void anAccountHoldsAtMostItsCapOfKeysEvenWhenAskedAtOnce() {
    ApiClient api = new ApiClient(app.concurrentClient().web());
    ApiClient.User u = api.newUser("collector");
    List<Future<HttpResponse<Buffer>>> all = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      all.add(api.send(HttpMethod.POST, "/v1/api-keys", u, new JsonObject().put("name", "k" + i)));
    }
    Await.result(Future.join(all));
    assertEquals(3, all.stream().filter(f -> f.result().statusCode() == 201).count());
    HttpResponse<Buffer> refused = all.stream().map(Future::result).filter(r -> r.statusCode() != 201).findFirst().orElseThrow();
    assertEquals(409, refused.statusCode(), refused.bodyAsString());
    assertTrue(refused.bodyAsJsonObject().getString("detail").contains("3 active API keys"), refused.bodyAsString());

    String revoked = api.get("/v1/api-keys", u).bodyAsJsonObject().getJsonArray("items").getJsonObject(0).getString("id");
    assertEquals(204, api.call(HttpMethod.DELETE, "/v1/api-keys/" + revoked, u, null).statusCode());
    assertEquals(201, api.call(HttpMethod.POST, "/v1/api-keys", u, new JsonObject()).statusCode(), "a revoked key frees its place");
  }

  @Test
  void anApiKeyCannotManageKeys() {
    ApiClient api = new ApiClient(app.client());
    ApiClient.User u = api.newUser("delegate");
    JsonObject created = api.call(HttpMethod.POST, "/v1/api-keys", u, new JsonObject()).bodyAsJsonObject();
    String key = created.getString("key");
    HttpResponse<Buffer> mint = Await.result(app.client().post("/v1/api-keys").putHeader("X-API-Key", key)
        .sendJsonObject(new JsonObject().put("name", "minted by a key")));
    assertEquals(403, mint.statusCode(), mint.bodyAsString());
    assertEquals(403, withKey(key, "/v1/api-keys").statusCode());
    assertEquals(403, Await.result(app.client().delete("/v1/api-keys/" + created.getString("id"))
        .putHeader("X-API-Key", key).send()).statusCode());
    assertEquals(1, api.get("/v1/api-keys", u).bodyAsJsonObject().getJsonArray("items").size());
    assertEquals(200, withKey(key, "/v1/usage").statusCode(), "a key still reads its own standing");
  }

  private static String lastUsed(ApiClient api, ApiClient.User u, String keyId) {
    for (Object o : api.get("/v1/api-keys", u).bodyAsJsonObject().getJsonArray("items")) {
      JsonObject k = (JsonObject) o;
      if (k.getString("id").equals(keyId)) {
        return k.getString("lastUsedAt");
      }
    }
    return null;
  }
}
