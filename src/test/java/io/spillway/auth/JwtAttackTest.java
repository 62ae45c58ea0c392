package io.spillway.auth;

import io.spillway.config.JwtConfig;
import io.spillway.testkit.ApiClient;
import io.spillway.testkit.Await;
import io.spillway.testkit.SpillwayApp;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.interfaces.RSAPublicKey;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The known attacks on JWT verification, each sent to a real node (one on HS256, one on RS256) as a bearer
 * token on a route that needs one: every forged token is a 401, the genuine one a 200.
 */
class JwtAttackTest {
  private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();
  private static final KeyPair SERVER = rsa();
  private static final KeyPair ATTACKER = rsa();
  private static final String PUBLIC_PEM = pem("PUBLIC KEY", SERVER.getPublic().getEncoded());

  @RegisterExtension
  static SpillwayApp hs = SpillwayApp.create().withoutKafka().shards(1);

  @RegisterExtension
  static SpillwayApp rs = SpillwayApp.create().withoutKafka().shards(1).configure(tree -> tree.put("jwt",
      new JsonObject().put("algorithm", "RS256").put("secret", "")
          .put("publicKeys", new JsonArray().add(PUBLIC_PEM))
          .put("privateKey", pem("PRIVATE KEY", SERVER.getPrivate().getEncoded()))));

  @Test
  void everyForgedHs256TokenIsRefused() {
    ApiClient.User user = new ApiClient(hs.client()).newUser("hs");
    String secret = JwtConfig.SAMPLE_SECRET;
    JsonObject claims = claims(user.id());
    assertEquals(200, feed(hs, user.token()).statusCode(), "the node's own token works");
    assertEquals(200, feed(hs, sign(hs256(), claims, "HmacSHA256", secret.getBytes())).statusCode(),
        "a token signed with the secret works");

    Map<String, String> forged = new LinkedHashMap<>();
    unsigned(forged, claims);
    forged.put("HS384 with the same secret", sign(header("HS384"), claims, "HmacSHA384", secret.getBytes()));
    forged.put("HS512 with the same secret", sign(header("HS512"), claims, "HmacSHA512", secret.getBytes()));
    forged.put("a foreign secret", sign(hs256(), claims, "HmacSHA256", "another-secret-of-enough-length-0123".getBytes()));
    forged.put("an empty signature", unsignedPart(hs256(), claims) + ".");
    forged.put("a signature of another token", unsignedPart(hs256(), claims) + "."
        + sign(hs256(), claims(user.id() + "0"), "HmacSHA256", secret.getBytes()).split("\\.")[2]);
    // HMAC pads a short key with zero bytes: a one-zero-byte key signs as the empty contents of /dev/null.
    forged.put("a kid that walks to /dev/null", sign(hs256().put("kid", "../../../../../../dev/null"), claims,
        "HmacSHA256", new byte[1]));
    forged.put("an unknown crit header", sign(hs256().put("crit", new JsonArray().add("x-unknown")).put("x-unknown", true),
        claims, "HmacSHA256", secret.getBytes()));
    forged.put("an embedded jwk", rs256(header("HS256").put("jwk", jwk((RSAPublicKey) ATTACKER.getPublic())), claims,
        ATTACKER.getPrivate()));
    forged.put("a jku", sign(hs256().put("jku", "http://127.0.0.1:1/jwks.json"), claims, "HmacSHA256", secret.getBytes()));
    forged.put("four segments", sign(hs256(), claims, "HmacSHA256", secret.getBytes()) + ".AAAA");
    forged.put("RS256 with an attacker's key", rs256(header("RS256"), claims, ATTACKER.getPrivate()));
    assertAllRefused(hs, forged);
  }

  @Test
  void everyForgedRs256TokenIsRefused() {
    ApiClient.User user = new ApiClient(rs.client()).newUser("rs");
    JsonObject claims = claims(user.id());
    assertEquals(200, feed(rs, user.token()).statusCode(), "the node's own (RS256) token works");
    assertEquals(200, feed(rs, rs256(header("RS256"), claims, SERVER.getPrivate())).statusCode());

    Map<String, String> forged = new LinkedHashMap<>();
    unsigned(forged, claims);
    forged.put("HS256 keyed with the public key's PEM", sign(hs256(), claims, "HmacSHA256",
        PUBLIC_PEM.getBytes(StandardCharsets.US_ASCII)));
    forged.put("HS256 keyed with the public key's DER", sign(hs256(), claims, "HmacSHA256",
        SERVER.getPublic().getEncoded()));
    forged.put("HS384 keyed with the public key's PEM", sign(header("HS384"), claims, "HmacSHA384",
        PUBLIC_PEM.getBytes(StandardCharsets.US_ASCII)));
    forged.put("a foreign key", rs256(header("RS256"), claims, ATTACKER.getPrivate()));
    forged.put("an empty signature", unsignedPart(header("RS256"), claims) + ".");
    forged.put("RS512 by the server's own key", rsSign(header("RS512"), claims, SERVER.getPrivate(), "SHA512withRSA"));
    forged.put("an embedded jwk", rs256(header("RS256").put("jwk", jwk((RSAPublicKey) ATTACKER.getPublic())), claims,
        ATTACKER.getPrivate()));
    forged.put("a jku", rs256(header("RS256").put("jku", "http://127.0.0.1:1/jwks.json"), claims, ATTACKER.getPrivate()));
    forged.put("an x5u", rs256(header("RS256").put("x5u", "http://127.0.0.1:1/cert.pem"), claims, ATTACKER.getPrivate()));
    forged.put("a kid that walks to /dev/null", rs256(header("RS256").put("kid", "../../../../../../dev/null"), claims,
        ATTACKER.getPrivate()));
    forged.put("an unknown crit header", rs256(header("RS256").put("crit", new JsonArray().add("x-unknown"))
        .put("x-unknown", true), claims, SERVER.getPrivate()));
    forged.put("four segments", rs256(header("RS256"), claims, SERVER.getPrivate()) + ".AAAA");
    assertAllRefused(rs, forged);
  }

  private static void unsigned(Map<String, String> forged, JsonObject claims) {
    for (String none : new String[] {"none", "None", "NONE", "nOnE"}) {
      forged.put("alg " + none + " without a signature", unsignedPart(header(none), claims) + ".");
      forged.put("alg " + none + " with two segments", unsignedPart(header(none), claims));
      forged.put("alg " + none + " with a signature", unsignedPart(header(none), claims) + ".AAAA");
    }
    forged.put("no alg", unsignedPart(new JsonObject().put("typ", "JWT"), claims) + ".AAAA");
  }

  private static void assertAllRefused(SpillwayApp app, Map<String, String> forged) {
    List<String> accepted = new ArrayList<>();
    for (Map.Entry<String, String> attack : forged.entrySet()) {
      HttpResponse<Buffer> r = feed(app, attack.getValue());
      if (r.statusCode() != 401 || !"application/problem+json".equals(r.getHeader("Content-Type"))) {
        accepted.add(attack.getKey() + ": " + r.statusCode() + " " + r.bodyAsString());
      }
    }
    assertEquals(List.of(), accepted, "forged tokens that were not refused with a 401");
  }

  private static HttpResponse<Buffer> feed(SpillwayApp app, String token) {
    return Await.result(app.client().get("/v1/feed").putHeader("Authorization", "Bearer " + token).send());
  }

  private static JsonObject claims(String sub) {
    long now = System.currentTimeMillis() / 1000;
    return new JsonObject().put("sub", sub).put("iss", "spillway").put("aud", "spillway-api").put("iat", now)
        .put("exp", now + 600);
  }

  private static JsonObject header(String alg) {
    return new JsonObject().put("alg", alg).put("typ", "JWT");
  }

  private static JsonObject hs256() {
    return header("HS256");
  }

  private static String part(JsonObject json) {
    return B64.encodeToString(json.encode().getBytes(StandardCharsets.UTF_8));
  }

  private static String unsignedPart(JsonObject header, JsonObject claims) {
    return part(header) + "." + part(claims);
  }

  private static String sign(JsonObject header, JsonObject claims, String mac, byte[] key) {
    String input = unsignedPart(header, claims);
    try {
      Mac m = Mac.getInstance(mac);
      m.init(new SecretKeySpec(key, mac));
      return input + "." + B64.encodeToString(m.doFinal(input.getBytes(StandardCharsets.US_ASCII)));
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private static String rs256(JsonObject header, JsonObject claims, PrivateKey key) {
    return rsSign(header, claims, key, "SHA256withRSA");
  }

  private static String rsSign(JsonObject header, JsonObject claims, PrivateKey key, String algorithm) {
    String input = unsignedPart(header, claims);
    try {
      Signature s = Signature.getInstance(algorithm);
      s.initSign(key);
      s.update(input.getBytes(StandardCharsets.US_ASCII));
      return input + "." + B64.encodeToString(s.sign());
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private static JsonObject jwk(RSAPublicKey key) {
    return new JsonObject().put("kty", "RSA").put("n", unsigned(key.getModulus())).put("e", unsigned(key.getPublicExponent()));
  }

  private static String unsigned(BigInteger n) {
    byte[] bytes = n.toByteArray();
    return B64.encodeToString(bytes[0] == 0 ? Arrays.copyOfRange(bytes, 1, bytes.length) : bytes);
  }

  static KeyPair rsa() {
    try {
      KeyPairGenerator gen = KeyPairGenerator.getInstance("RSA");
      gen.initialize(2048);
      return gen.generateKeyPair();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  static String pem(String type, byte[] der) {
    return "-----BEGIN " + type + "-----\n" + Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(der)
        + "\n-----END " + type + "-----\n";
  }
}
