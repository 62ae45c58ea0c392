package io.spillway.shed;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class VegasLimitTest {
  private static VegasLimit limit(int initial, int min, int max) {
    return new VegasLimit(initial, min, max, 1.0);
  }

  @Test
  void latencyRisingLowersTheLimitAndFallingRaisesItAgain() {
    VegasLimit limit = limit(50, 10, 1000);
    LimitDriver driver = new LimitDriver(limit);
    driver.window(10);
    int steady = driver.windows(3, 10);
    assertTrue(steady > 50, "no queueing: the limit grows, got " + steady);

    int previous = steady;
    for (int i = 0; i < 5; i++) {
      int next = driver.window(40);
      assertTrue(next < previous, "window " + i + " of high latency: " + next + " should be below " + previous);
      previous = next;
    }

    int loaded = previous;
    int recovered = driver.window(10);
    assertTrue(recovered > loaded, "latency back at no-load: " + recovered + " should be above " + loaded);
    assertTrue(driver.window(10) > recovered);
  }

  @Test
  void neverGoesBelowTheFloor() {
    VegasLimit limit = limit(60, 15, 1000);
    LimitDriver driver = new LimitDriver(limit);
    driver.window(10);
    for (int i = 0; i < 50; i++) {
      assertTrue(driver.window(100) >= 15);
    }
    assertEquals(15, limit.limit());
  }

  @Test
  void neverGoesAboveTheCeiling() {
    VegasLimit limit = limit(20, 10, 120);
    LimitDriver driver = new LimitDriver(limit);
    for (int i = 0; i < 40; i++) {
      assertTrue(driver.window(10) <= 120);
    }
    assertEquals(120, limit.limit());
  }

  @Test
  void anIdleNodeKeepsItsLimit() {
    VegasLimit limit = limit(100, 10, 1000);
    LimitDriver driver = new LimitDriver(limit);
    driver.window(10, 5);
    assertEquals(100, driver.window(200, 5));
  }

  @Test
  void aLastingChangeInLatencyBecomesTheNewNoLoadLatency() {
    VegasLimit limit = limit(100, 10, 1000);
    LimitDriver driver = new LimitDriver(limit);
    driver.window(10);
    assertEquals(10_000_000, limit.noLoadRttNanos(), 1);
    driver.windows(VegasLimit.PROBE_WINDOWS, 30);
    assertEquals(30_000_000, limit.noLoadRttNanos(), 1);
  }
}
