package io.spillway.auth;

import io.spillway.config.JwtConfig;
import io.spillway.testkit.Await;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Verified tokens are remembered, but never past their expiry. */
class VerifiedTokenCacheTest {
  private static final String SECRET = "verified-token-cache-test-secret-32-chars-long";
  private final Vertx vertx = Vertx.vertx();
  private final JwtTokens tokens = new JwtTokens(vertx, new JwtConfig("HS256", SECRET, List.of(), "", "",
      "spillway", "spillway-api", 0, 3600));

  @AfterEach
  void close() {
    vertx.close().await();
  }

  @Test
  void aRememberedTokenStopsWorkingWhenItExpires() {
    String token = TestTokens.hs256(TestTokens.claims("42", 2), SECRET);
    assertEquals("42", Await.result(tokens.verify(token)).subject());
    assertEquals("42", Await.result(tokens.verify(token)).subject(), "answered again while valid");
    Await.until("the remembered token to expire", Duration.ofSeconds(10), () -> failed(tokens.verify(token)));
    Future<Principal> late = tokens.verify(token);
    Await.until("the answer", Duration.ofSeconds(5), late::isComplete);
    assertEquals("the token has expired", late.cause().getMessage());
  }

  private static boolean failed(Future<Principal> f) {
    Await.until("the answer", Duration.ofSeconds(5), f::isComplete);
    return f.failed();
  }
}
