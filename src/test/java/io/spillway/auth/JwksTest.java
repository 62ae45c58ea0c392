package io.spillway.auth;

import io.spillway.config.ConfigException;
import io.spillway.config.JwtConfig;
import io.spillway.testkit.Await;
import io.spillway.testkit.SpillwayApp;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.interfaces.RSAPublicKey;
import java.time.Duration;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** JWK sets from a URL (served here by a local HTTP server): keys rotate without a restart; no usable key, no start. */
class JwksTest {
  private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();
  private static final KeyPair A = JwtAttackTest.rsa();
  private static final KeyPair B = JwtAttackTest.rsa();
  private static final KeyPair C = JwtAttackTest.rsa();
  private static Vertx vertx;
  private static int port;
  /** What the server answers, by path, and how often each path was fetched. */
  private static final Map<String, JsonObject> SETS = new ConcurrentHashMap<>();
  private static final Map<String, AtomicInteger> FETCHES = new ConcurrentHashMap<>();

  @BeforeAll
  static void serve() {
    vertx = Vertx.vertx();
    HttpServer server = Await.result(vertx.createHttpServer().requestHandler(req -> {
      FETCHES.computeIfAbsent(req.path(), p -> new AtomicInteger()).incrementAndGet();
      JsonObject set = SETS.get(req.path());
      if (set == null) {
        req.response().setStatusCode(404).end();
      } else {
        req.response().putHeader("Content-Type", "application/json").end(set.encode());
      }
    }).listen(0, "127.0.0.1"));
    port = server.actualPort();
  }

  @AfterAll
  static void stop() {
    vertx.close().await();
  }

  @Test
  void keysRotateWithoutARestart() {
    String path = path();
    SETS.put(path, set(jwk(A, "a")));
    JwtTokens tokens = Await.result(JwtTokens.start(vertx, config(path, 600, 1)));
    assertEquals("1", Await.result(tokens.verify(token(A, "a", "1"))).subject());

    // The provider rotates to B: a token signed with B names a kid the node has not seen, so it looks again.
    SETS.put(path, set(jwk(B, "b")));
    String signedByB = token(B, "b", "2");
    Await.until("a token of the new key to verify", Duration.ofSeconds(20),
        () -> Await.result(tokens.verify(signedByB).map(p -> true).otherwise(false)));
    InvalidTokenException gone = assertInstanceOf(InvalidTokenException.class,
        assertThrows(Exception.class, () -> tokens.verify(token(A, "a", "1")).await(10, TimeUnit.SECONDS)));
    assertEquals("the token is invalid", gone.getMessage(), "a key the set no longer holds verifies nothing");
  }

  @Test
  void madeUpKidsCostOneFetchPerInterval() {
    String path = path();
    SETS.put(path, set(jwk(A, "a")));
    JwtTokens tokens = Await.result(JwtTokens.start(vertx, config(path, 600, 3600)));
    for (int i = 0; i < 50; i++) {
      String kid = UUID.randomUUID().toString();
      assertThrows(Exception.class, () -> tokens.verify(token(C, kid, "3")).await(10, TimeUnit.SECONDS));
    }
    assertEquals(1, FETCHES.get(path).get(), "the first fetch only: the next may come an hour later");
    assertEquals("1", Await.result(tokens.verify(token(A, "a", "1"))).subject());
  }

  @Test
  void theSetIsFetchedAgainOnASchedule() {
    String path = path();
    SETS.put(path, set(jwk(A, "a")));
    JwtTokens tokens = Await.result(JwtTokens.start(vertx, config(path, 1, 3600)));
    SETS.put(path, set(jwk(A, "a"), jwk(C, "c")));
    String signedByC = token(C, "c", "4");
    Await.until("the scheduled refresh to bring key c", Duration.ofSeconds(20),
        () -> Await.result(tokens.verify(signedByC).map(p -> true).otherwise(false)));
    assertTrue(FETCHES.get(path).get() >= 2);
  }

  @Test
  void aSetWithoutAUsableKeyStopsTheStart(@TempDir Path dir) throws Exception {
    // An encryption key, a key of another algorithm, and a key type the library cannot load: nothing to verify
    // RS256 signatures with. The library alone would fall back to accepting unsigned tokens.
    JsonObject unusable = set(jwk(A, "enc").put("use", "enc"), jwk(B, "ps").put("alg", "PS256"),
        new JsonObject().put("kty", "OKP").put("crv", "X448").put("x", "AAAA").put("kid", "okp"));
    String path = path();
    SETS.put(path, unusable);
    Throwable fromUri = assertThrows(Exception.class,
        () -> JwtTokens.start(vertx, config(path, 600, 30)).await(20, TimeUnit.SECONDS));
    assertInstanceOf(ConfigException.class, fromUri);
    assertTrue(fromUri.getMessage().contains("has no key to verify RS256 tokens"), fromUri.getMessage());
    assertThrows(Exception.class, () -> JwtTokens.start(vertx, config("/nothing-here", 600, 30)).await(20, TimeUnit.SECONDS),
        "a set that cannot be fetched stops the start too");

    Path file = dir.resolve("jwks.json");
    Files.writeString(file, unusable.encode());
    JwtConfig fromFile = new JwtConfig("RS256", "", List.of(), "", file.toString(), "spillway", "spillway-api", 0, 3600);
    ConfigException e = assertThrows(ConfigException.class, () -> new JwtTokens(vertx, fromFile));
    assertTrue(e.getMessage().contains("no key can verify RS256 tokens"), e.getMessage());

    SpillwayApp node = SpillwayApp.create().withoutKafka().shards(1).configure(tree -> tree.put("jwt", new JsonObject()
        .put("algorithm", "RS256").put("secret", "").put("jwksFile", file.toString())));
    try {
      IllegalStateException refused = assertThrows(IllegalStateException.class, node::start);
      assertTrue(refused.getMessage().contains("no key can verify RS256 tokens"), refused.getMessage());
    } finally {
      node.stop();
    }
  }

  private static String path() {
    return "/jwks-" + UUID.randomUUID() + ".json";
  }

  private static JwtConfig config(String path, int refreshSeconds, int minRefreshSeconds) {
    return new JwtConfig("RS256", "", List.of(), "", "", "http://127.0.0.1:" + port + path, refreshSeconds,
        minRefreshSeconds, 5000, "spillway", "spillway-api", 0, 3600);
  }

  private static JsonObject set(JsonObject... keys) {
    return new JsonObject().put("keys", new JsonArray(List.of((Object[]) keys)));
  }

  private static JsonObject jwk(KeyPair pair, String kid) {
    RSAPublicKey key = (RSAPublicKey) pair.getPublic();
    return new JsonObject().put("kty", "RSA").put("kid", kid).put("use", "sig").put("alg", "RS256")
        .put("n", unsigned(key.getModulus())).put("e", unsigned(key.getPublicExponent()));
  }

  private static String unsigned(BigInteger n) {
    byte[] bytes = n.toByteArray();
    return B64.encodeToString(bytes[0] == 0 ? Arrays.copyOfRange(bytes, 1, bytes.length) : bytes);
  }

  private static String token(KeyPair pair, String kid, String sub) {
    long now = System.currentTimeMillis() / 1000;
    JsonObject header = new JsonObject().put("alg", "RS256").put("typ", "JWT").put("kid", kid);
    JsonObject claims = new JsonObject().put("sub", sub).put("iss", "spillway").put("aud", "spillway-api")
        .put("exp", now + 600);
    String input = B64.encodeToString(header.encode().getBytes(StandardCharsets.UTF_8)) + "."
        + B64.encodeToString(claims.encode().getBytes(StandardCharsets.UTF_8));
    try {
      PrivateKey key = pair.getPrivate();
      Signature s = Signature.getInstance("SHA256withRSA");
      s.initSign(key);
      s.update(input.getBytes(StandardCharsets.US_ASCII));
      return input + "." + B64.encodeToString(s.sign());
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }
}
