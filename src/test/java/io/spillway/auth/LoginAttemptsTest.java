package io.spillway.auth;

import io.spillway.config.AuthConfig;
import io.spillway.testkit.Await;
import io.spillway.testkit.SpillwayApp;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Redis;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The failed-login logs in Redis (database 13) and their in-process twin agree: lockouts grow, a success forgets. */
class LoginAttemptsTest {
  private static final AuthConfig.Login CONFIG = new AuthConfig.Login(600, 3, 1, 4, 1000, 1000);
  private static Vertx vertx;
  private static Redis redis;

  @BeforeAll
  static void connect() {
    vertx = Vertx.vertx();
    redis = Redis.createClient(vertx, "redis://127.0.0.1:" + SpillwayApp.REDIS_PORT + "/13");
  }

  @AfterAll
  static void close() {
    redis.close();
    vertx.close().await();
  }

  @Test
  void eachLockoutOfAPairLastsTwiceTheLastUpToTheLongest() {
    LoginAttempts attempts = new LoginAttempts(redis::send, CONFIG);
    assertEquals(List.of(1L, 2L, 4L, 4L), lockouts(attempts, UUID.randomUUID() + "@example.com"));
  }

  @Test
  void redisDownTheNodeDecidesByTheSameRules() {
    Redis dead = Redis.createClient(vertx, "redis://127.0.0.1:1");
    try {
      LoginAttempts attempts = new LoginAttempts(dead::send, CONFIG);
      assertEquals(List.of(1L, 2L, 4L, 4L), lockouts(attempts, UUID.randomUUID() + "@example.com"));
    } finally {
      dead.close();
    }
  }

  @Test
  void aSuccessForgetsThePairsFailures() {
    LoginAttempts attempts = new LoginAttempts(redis::send, CONFIG);
    String email = UUID.randomUUID() + "@example.com";
    for (int round = 0; round < 4; round++) {
      for (int i = 0; i < 2; i++) {
        Await.result(attempts.reserve(email, "192.0.2.1"));
      }
      Await.result(attempts.succeeded(Await.result(attempts.reserve(email, "192.0.2.1"))));
    }
    Await.result(attempts.reserve(email, "192.0.2.1"));
  }

  /** Fails a pair into a lockout four times; the lockouts' lengths in seconds. */
  private static List<Long> lockouts(LoginAttempts attempts, String email) {
    List<Long> out = new ArrayList<>();
    for (int round = 0; round < 4; round++) {
      Await.until("the pair to be let in again", Duration.ofSeconds(20), () -> {
        try {
          attempts.reserve(email, "192.0.2.9").await(10, TimeUnit.SECONDS);
          return true;
        } catch (Exception e) {
          return false;
        }
      });
      for (int i = 1; i < 3; i++) {
        Await.result(attempts.reserve(email, "192.0.2.9"));
      }
      Throwable refused = assertThrows(Exception.class, () -> attempts.reserve(email, "192.0.2.9").await(10, TimeUnit.SECONDS));
      LoginAttempts.Refused r = assertInstanceOf(LoginAttempts.Refused.class, refused);
      assertEquals("login-lockout", r.limit());
      out.add(r.retryAfterSeconds());
      assertTrue(r.retryAfterSeconds() >= 1);
    }
    return out;
  }
}
