package io.spillway.auth;

import io.vertx.core.json.JsonObject;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.security.PrivateKey;
import java.security.Signature;
import java.util.Base64;

/** Hand-built JWTs, so tests can make every kind of bad token a client might send. */
final class TestTokens {
  private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();

  private TestTokens() {}

  static JsonObject claims(String sub, long expOffsetSeconds) {
    long now = System.currentTimeMillis() / 1000;
    return new JsonObject().put("sub", sub).put("iss", "spillway").put("aud", "spillway-api")
        .put("iat", now).put("exp", now + expOffsetSeconds);
  }

  static String hs256(JsonObject claims, String secret) {
    return hs256(claims, secret.getBytes(StandardCharsets.UTF_8));
  }

  /** HS256 with any bytes as the HMAC key (e.g. another algorithm's public key, as an attacker would try). */
  static String hs256(JsonObject claims, byte[] secret) {
    String signingInput = part(new JsonObject().put("alg", "HS256").put("typ", "JWT")) + "." + part(claims);
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(secret, "HmacSHA256"));
      return signingInput + "." + B64.encodeToString(mac.doFinal(signingInput.getBytes(StandardCharsets.US_ASCII)));
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  static String rs256(JsonObject claims, PrivateKey key) {
    String signingInput = part(new JsonObject().put("alg", "RS256").put("typ", "JWT")) + "." + part(claims);
    try {
      Signature sig = Signature.getInstance("SHA256withRSA");
      sig.initSign(key);
      sig.update(signingInput.getBytes(StandardCharsets.US_ASCII));
      return signingInput + "." + B64.encodeToString(sig.sign());
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  static String unsigned(JsonObject claims) {
    return part(new JsonObject().put("alg", "none").put("typ", "JWT")) + "." + part(claims) + ".";
  }

  private static String part(JsonObject json) {
    return B64.encodeToString(json.encode().getBytes(StandardCharsets.UTF_8));
  }
}
