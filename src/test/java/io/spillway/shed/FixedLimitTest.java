package io.spillway.shed;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

class FixedLimitTest {
  @Test
  void latencyDoesNotMoveIt() {
    FixedLimit limit = new FixedLimit(42);
    LimitDriver driver = new LimitDriver(limit);
    assertEquals(42, driver.windows(5, 10));
    assertEquals(42, driver.windows(5, 500));
    assertEquals(42, driver.windows(5, 1));
  }

  @Test
  void theConfigPicksTheAlgorithm() {
    assertEquals(Gradient2Limit.class, rule(ConcurrencyLimit.from(Configs.shed("{}"))).getClass());
    assertEquals(VegasLimit.class, rule(ConcurrencyLimit.from(Configs.shed("{\"algorithm\":\"vegas\"}"))).getClass());
    ConcurrencyLimit fixed = ConcurrencyLimit.from(Configs.shed("{\"algorithm\":\"fixed\",\"initialLimit\":33}"));
    assertEquals(33, fixed.limit());
  }

  private static AdaptiveLimit rule(ConcurrencyLimit limit) {
    return ((WindowedLimit) limit).algorithm();
  }
}
