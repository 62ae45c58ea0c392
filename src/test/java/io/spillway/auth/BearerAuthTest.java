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

import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.util.Base64;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The bearer-token handler over real HTTP, with HS256 and RS256 keys from config. */
class BearerAuthTest {
  private static final String SECRET = JwtConfig.SAMPLE_SECRET;
  private static Vertx vertx;
  private static WebClient client;
  private static KeyPair rsa;
  private static int hsPort;
  private static int rsPort;

  @BeforeAll
  static void start() throws Exception {
    vertx = Vertx.vertx();
    KeyPairGenerator gen = KeyPairGenerator.getInstance("RSA");
    gen.initialize(2048);
    rsa = gen.generateKeyPair();
    String pem = "-----BEGIN PUBLIC KEY-----\n"
        + Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(rsa.getPublic().getEncoded())
        + "\n-----END PUBLIC KEY-----\n";
    hsPort = serve(new JsonObject().put("algorithm", "HS256").put("secret", SECRET).put("leewaySeconds", 5));
    rsPort = serve(new JsonObject().put("algorithm", "RS256").put("publicKeys", new JsonArray().add(pem)));
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
    assertUnauthorized(Await.result(client.get(hsPort, "127.0.0.1", "/secure").send()), "required");
    assertEquals("anonymous", Await.result(client.get(hsPort, "127.0.0.1", "/open").send()).bodyAsString());
  }

  @Test
  void badTokensAre401() {
    JsonObject good = TestTokens.claims("1", 600);
    assertUnauthorized(call(hsPort, "/secure", TestTokens.unsigned(good)), "invalid");
    assertUnauthorized(call(hsPort, "/secure", TestTokens.hs256(good, SECRET + "-wrong")), "invalid");
    assertUnauthorized(call(hsPort, "/secure", TestTokens.hs256(TestTokens.claims("1", -60), SECRET)), "expired");
    assertUnauthorized(call(hsPort, "/secure", TestTokens.hs256(good.copy().put("iss", "evil"), SECRET)), "");
    assertUnauthorized(call(hsPort, "/secure", TestTokens.hs256(good.copy().put("aud", "other-api"), SECRET)), "");
    long future = System.currentTimeMillis() / 1000 + 300;
    assertUnauthorized(call(hsPort, "/secure", TestTokens.hs256(good.copy().put("nbf", future), SECRET)), "not valid yet");
    assertUnauthorized(call(hsPort, "/secure", TestTokens.hs256(good.copy().put("exp", null), SECRET)), "");
    assertUnauthorized(call(hsPort, "/secure", "not.a.jwt"), "invalid");
    assertUnauthorized(call(hsPort, "/open", TestTokens.hs256(good, SECRET + "-wrong")), "invalid");
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
    assertUnauthorized(call(rsPort, "/secure", TestTokens.hs256(TestTokens.claims("7", 600), SECRET)), "invalid");
  }

  private static HttpResponse<Buffer> call(int port, String path, String token) {
    return Await.result(client.get(port, "127.0.0.1", path).putHeader("Authorization", "Bearer " + token).send());
  }

  private static void assertUnauthorized(HttpResponse<Buffer> r, String detailFragment) {
    assertEquals(401, r.statusCode(), r.bodyAsString());
    assertTrue(r.getHeader("WWW-Authenticate").startsWith("Bearer"), r.getHeader("WWW-Authenticate"));
    assertEquals("application/problem+json", r.getHeader("Content-Type"));
    assertTrue(r.bodyAsJsonObject().getString("detail").contains(detailFragment), r.bodyAsString());
  }
}
