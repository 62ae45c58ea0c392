package io.spillway.api;

import io.spillway.testkit.Await;
import io.spillway.testkit.ShardDb;
import io.spillway.testkit.SpillwayApp;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

/** An Idempotency-Key on sign-up: the password is in no fingerprint and no stored response. */
class SignUpIdempotencyTest {
  @RegisterExtension
  static SpillwayApp app = SpillwayApp.create().withoutKafka().shards(1);

  private static HttpResponse<Buffer> signUp(String key, JsonObject body) {
    return Await.result(app.client().post("/v1/users").putHeader("Idempotency-Key", key).sendJsonObject(body));
  }

  @Test
  void thePasswordIsNeitherHashedNorStoredForTheIdempotencyKey() throws Exception {
    String password = "the-users-own-password";
    JsonObject body = new JsonObject().put("email", "idem@example.com").put("name", "Idem").put("password", password);
    HttpResponse<Buffer> first = signUp("signup-1", body);
    assertEquals(201, first.statusCode(), first.bodyAsString());

    // A retry with a different password is the same sign-up: the password is not part of what identifies it.
    HttpResponse<Buffer> retry = signUp("signup-1", body.copy().put("password", "another-password"));
    assertEquals(201, retry.statusCode(), retry.bodyAsString());
    assertEquals(first.bodyAsJsonObject().getString("id"), retry.bodyAsJsonObject().getString("id"));
    // Another email under the same key is another request.
    assertEquals(422, signUp("signup-1", body.copy().put("email", "other@example.com")).statusCode());

    try (ShardDb db = new ShardDb(app.databases().get(0))) {
      var row = db.query("SELECT request_hash, response::text FROM idempotency_keys WHERE key = $1", "signup-1").get(0);
      String sha = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
          .digest(("POST /v1/users\n" + body.encode()).getBytes(StandardCharsets.UTF_8)));
      assertNotEquals(sha, row.getString(0), "the stored fingerprint is not a hash of a body holding the password");
      assertFalse(row.getString(1).contains(password), "the stored response holds no password");
    }
  }
}
