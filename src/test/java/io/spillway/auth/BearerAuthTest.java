package io.spillway.auth;

import io.spillway.config.AppConfig;
import io.spillway.config.ConfigSource;
import io.spillway.config.JwtConfig;
import io.spillway.server.ApiRouter;
import io.spillway.server.CallerHandler;
import io.spillway.web.Caller;
import io.spillway.testkit.Await;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.util.Base64;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The bearer-token handler over real HTTP, with HS256 and RS256 keys from config. */
class BearerAuthTest {
  private static final String SECRET = JwtConfig.SAMPLE_SECRET;
  private static Vertx vertx;
  private static WebClient client;
  private static KeyPair rsa;
  private static String rsaPublicPem;
  private static int hsPort;
  private static int rsPort;

  @BeforeAll
  static void start() throws Exception {
    vertx = Vertx.vertx();
    KeyPairGenerator gen = KeyPairGenerator.getInstance("RSA");
    gen.initialize(2048);
    rsa = gen.generateKeyPair();
    rsaPublicPem = "-----BEGIN PUBLIC KEY-----\n"
        + Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(rsa.getPublic().getEncoded())
        + "\n-----END PUBLIC KEY-----\n";
    hsPort = serve(new JsonObject().put("algorithm", "HS256").put("secret", SECRET).put("leewaySeconds", 5));
    rsPort = serve(new JsonObject().put("algorithm", "RS256").put("publicKeys", new JsonArray().add(rsaPublicPem)));
    client = WebClient.create(vertx, new WebClientOptions().setDefaultHost("127.0.0.1"));
  }

  private static int serve(JsonObject jwt) {
    JsonObject tree = ConfigSource.load(Path.of("conf", "config.json"), Map.of());
    AppConfig config = AppConfig.from(ConfigSource.merge(tree, new JsonObject().put("jwt", jwt)));
    JwtTokens tokens = new JwtTokens(vertx, config.jwt());
    Router router = ApiRouter.create(vertx, config, new CallerHandler(List.of()), null);
    router.get("/secure").handler(BearerAuth.required(tokens))
        .handler(ctx -> ctx.response().end(String.valueOf(Caller.of(ctx).userId())));
    router.get("/open").handler(BearerAuth.optional(tokens))
        .handler(ctx -> ctx.response().end(Caller.of(ctx).authenticated() ? String.valueOf(Caller.of(ctx).userId()) : "anonymous"));
    HttpServer server = Await.result(vertx.createHttpServer().requestHandler(router).listen(0, "127.0.0.1"));
    return server.actualPort();
  }

  @AfterAll
  static void stop() {
    vertx.close().await();
  }

  @Test
  void aValidTokenIdentifiesTheSubject() {
    HttpResponse<Buffer> r = call(hsPort, "/secure", TestTokens.hs256(TestTokens.claims("42", 600), SECRET));
    assertEquals(200, r.statusCode());
    assertEquals("42", r.bodyAsString());
  }

  @Test
  void theServerCanVerifyTokensItIssues() {
    JsonObject tree = ConfigSource.load(Path.of("conf", "config.json"), Map.of());
    JwtTokens tokens = new JwtTokens(vertx, AppConfig.from(tree).jwt());
    HttpResponse<Buffer> r = call(hsPort, "/secure", tokens.issue("7", null));
    assertEquals("7", r.bodyAsString());
  }

  @Test
  void missingTokenIs401WithWwwAuthenticate() {
    HttpResponse<Buffer> r = Await.result(client.get(hsPort, "127.0.0.1", "/secure").send());
    assertUnauthorized(r, "invalid_request", "a bearer token is required");
    assertEquals("anonymous", Await.result(client.get(hsPort, "127.0.0.1", "/open").send()).bodyAsString());
  }

  @Test
  void badTokensAre401WithTheReason() {
    JsonObject good = TestTokens.claims("1", 600);
    assertInvalid(call(hsPort, "/secure", TestTokens.unsigned(good)),
        "the token is invalid: not a signed JWT (header.payload.signature)");
    assertInvalid(call(hsPort, "/secure", TestTokens.hs256(good, SECRET + "-wrong")), "the token is invalid");
    assertInvalid(call(hsPort, "/secure", TestTokens.hs256(TestTokens.claims("1", -60), SECRET)), "the token has expired");
    assertInvalid(call(hsPort, "/secure", TestTokens.hs256(good.copy().put("iss", "evil"), SECRET)),
        "the token was issued by someone else");
    assertInvalid(call(hsPort, "/secure", TestTokens.hs256(good.copy().put("aud", "other-api"), SECRET)),
        "the token is not meant for this API");
    long future = System.currentTimeMillis() / 1000 + 300;
    assertInvalid(call(hsPort, "/secure", TestTokens.hs256(good.copy().put("nbf", future), SECRET)),
        "the token is not valid yet");
    JsonObject noExpiry = good.copy();
    noExpiry.remove("exp");
    assertInvalid(call(hsPort, "/secure", TestTokens.hs256(noExpiry, SECRET)), "the token has no expiry");
    assertInvalid(call(hsPort, "/secure", TestTokens.hs256(good.copy().put("exp", null), SECRET)), "the token is invalid");
    assertInvalid(call(hsPort, "/secure", TestTokens.hs256(good.copy().put("sub", "alice"), SECRET)),
        "the token's subject is not a user id");
    assertInvalid(call(hsPort, "/secure", "not.a.jwt"), "the token is invalid: its header is not a JSON object");
    assertInvalid(call(hsPort, "/open", TestTokens.hs256(good, SECRET + "-wrong")), "the token is invalid");
  }

  @Test
  void leewayToleratesSmallClockSkew() {
    JsonObject justExpired = TestTokens.claims("2", -2);
    assertEquals(200, call(hsPort, "/secure", TestTokens.hs256(justExpired, SECRET)).statusCode());
  }

  @Test
  void rs256TokensVerifyWithThePublicKeyOnly() {
    assertEquals("7", call(rsPort, "/secure", TestTokens.rs256(TestTokens.claims("7", 600), rsa.getPrivate()))
        .bodyAsString());
    assertInvalid(call(rsPort, "/secure", TestTokens.hs256(TestTokens.claims("7", 600), SECRET)),
        "the token is invalid: its algorithm is not RS256");
  }

  /**
   * Algorithm confusion: an attacker knows the RS256 server's public key (it is public) and signs a token with
   * HS256, using the key's PEM text as the HMAC secret. A verifier that picks the algorithm from the token's
   * header would check that HMAC with the same "secret" and accept it.
   */
  @Test
  void anHs256TokenKeyedWithTheRs256PublicKeyIsRefused() {
    JsonObject claims = TestTokens.claims("7", 600);
    byte[] der = rsa.getPublic().getEncoded();
    for (byte[] secret : List.of(rsaPublicPem.getBytes(StandardCharsets.UTF_8),
        rsaPublicPem.trim().getBytes(StandardCharsets.UTF_8), der)) {
      assertInvalid(call(rsPort, "/secure", TestTokens.hs256(claims, secret)), "the token is invalid: its algorithm is not RS256");
      assertInvalid(call(rsPort, "/open", TestTokens.hs256(claims, secret)), "the token is invalid: its algorithm is not RS256");
    }
  }

  private static HttpResponse<Buffer> call(int port, String path, String token) {
    return Await.result(client.get(port, "127.0.0.1", path).putHeader("Authorization", "Bearer " + token).send());
  }

  private static void assertInvalid(HttpResponse<Buffer> r, String reason) {
    assertUnauthorized(r, "invalid_token", reason);
  }

  /** 401 problem+json whose detail is {@code reason}, and the RFC 6750 challenge saying the same. */
  private static void assertUnauthorized(HttpResponse<Buffer> r, String error, String reason) {
    assertEquals(401, r.statusCode(), r.bodyAsString());
    assertEquals("Bearer realm=\"spillway\", error=\"" + error + "\", error_description=\"" + reason + "\"",
        r.getHeader("WWW-Authenticate"));
    assertEquals("application/problem+json", r.getHeader("Content-Type"));
    JsonObject problem = r.bodyAsJsonObject();
    assertEquals(401, problem.getInteger("status"));
    assertEquals(reason, problem.getString("detail"), r.bodyAsString());
  }
}
