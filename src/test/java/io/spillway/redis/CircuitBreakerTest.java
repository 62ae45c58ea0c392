package io.spillway.redis;

import org.junit.jupiter.api.Test;

import java.util.concurrent.atomic.AtomicLong;

import static io.spillway.redis.CircuitBreaker.Permit.CALL;
import static io.spillway.redis.CircuitBreaker.Permit.PROBE;
import static io.spillway.redis.CircuitBreaker.Permit.SKIP;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CircuitBreakerTest {
  private final AtomicLong clock = new AtomicLong(1_000);
  private final CircuitBreaker breaker = new CircuitBreaker(clock::get, 3, 500);

  @Test
  void opensAfterConsecutiveFailuresThenProbesOnce() {
    assertFalse(breaker.failure(breaker.permit()));
    assertFalse(breaker.failure(breaker.permit()));
    assertTrue(breaker.failure(breaker.permit()), "the third failure opens it");
    assertTrue(breaker.open());
    assertEquals(SKIP, breaker.permit());
    clock.addAndGet(500);
    assertEquals(PROBE, breaker.permit());
    assertEquals(SKIP, breaker.permit(), "one probe at a time");
    breaker.failure(PROBE);
    assertEquals(SKIP, breaker.permit(), "a failed probe opens it again");
    clock.addAndGet(500);
    assertEquals(PROBE, breaker.permit());
    assertTrue(breaker.success(), "a good probe closes it");
    assertFalse(breaker.open());
    assertEquals(CALL, breaker.permit());
  }

  @Test
  void aSuccessResetsTheCount() {
    breaker.failure(CALL);
    breaker.failure(CALL);
    breaker.success();
    breaker.failure(CALL);
    breaker.failure(CALL);
    assertFalse(breaker.open());
  }
}
