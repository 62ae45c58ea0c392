package io.spillway.shed;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class Gradient2LimitTest {
  private static Gradient2Limit limit(int initial, int min, int max) {
    return new Gradient2Limit(initial, min, max, 0.2);
  }

  @Test
  void latencyRisingLowersTheLimitAndFallingRaisesItAgain() {
    Gradient2Limit limit = limit(100, 10, 1000);
    LimitDriver driver = new LimitDriver(limit);
    int steady = driver.windows(5, 10);

    int previous = steady;
    for (int i = 0; i < 4; i++) {
      int next = driver.window(40);
      assertTrue(next < previous, "window " + i + " of high latency: " + next + " should be below " + previous);
      previous = next;
    }
    int loaded = previous;
    assertTrue(loaded < steady);

    previous = loaded;
    for (int i = 0; i < 4; i++) {
      int next = driver.window(10);
      assertTrue(next > previous, "window " + i + " after recovery: " + next + " should be above " + previous);
      previous = next;
    }
  }

  @Test
  void neverGoesBelowTheFloor() {
    Gradient2Limit limit = limit(50, 20, 200);
    LimitDriver driver = new LimitDriver(limit);
    driver.windows(3, 10);
    double rtt = 10;
    for (int i = 0; i < 40; i++) {
      rtt *= 1.5;
      assertTrue(driver.window(rtt) >= 20);
    }
    assertEquals(20, limit.limit());
  }

  @Test
  void neverGoesAboveTheCeiling() {
    Gradient2Limit limit = limit(50, 10, 80);
    LimitDriver driver = new LimitDriver(limit);
    for (int i = 0; i < 60; i++) {
      assertTrue(driver.window(10) <= 80);
    }
    assertEquals(80, limit.limit());
  }

  @Test
  void anIdleNodeKeepsItsLimit() {
    Gradient2Limit limit = limit(100, 10, 1000);
    LimitDriver driver = new LimitDriver(limit);
    driver.window(10, 5);
    driver.window(10, 5);
    assertEquals(100, driver.window(200, 5), "a node using 5 of 100 slots learns nothing about its limit");
  }

  @Test
  void aWindowWithTooFewSamplesDoesNotMoveTheLimit() {
    WindowedLimit limit = LimitDriver.windowed(limit(100, 10, 1000));
    long t = 0;
    for (int i = 0; i < WindowedLimit.MIN_SAMPLES - 1; i++) {
      t += 60_000_000;
      limit.onSample(500_000_000, 100, t);
    }
    assertEquals(100, limit.limit());
  }

  @Test
  void theLongTermLatencyRecoversQuicklyAfterAnOverload() {
    Gradient2Limit limit = limit(100, 10, 1000);
    LimitDriver driver = new LimitDriver(limit);
    driver.windows(40, 100);
    double loadedBaseline = limit.longRttNanos();
    driver.windows(3, 10);
    assertTrue(limit.longRttNanos() < loadedBaseline * 0.8,
        "the baseline should fall faster than its average alone would let it");
  }
}
