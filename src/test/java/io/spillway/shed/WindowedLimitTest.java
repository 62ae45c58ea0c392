package io.spillway.shed;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;

class WindowedLimitTest {
  /** Writes down each window it is given, as an algorithm would see them. */
  private static final class Recorded implements AdaptiveLimit {
    final List<double[]> windows = new ArrayList<>();

    @Override
    public int limit() {
      return 7;
    }

    @Override
    public void update(double averageRttNanos, int maxInflight) {
      windows.add(new double[] {averageRttNanos, maxInflight});
    }
  }

  private static final long MS = TimeUnit.MILLISECONDS.toNanos(1);

  @Test
  void theRuleSeesOneAggregatePerWindow() {
    Recorded rule = new Recorded();
    WindowedLimit limit = new WindowedLimit(100 * MS, rule);
    long t = 0;
    // 20 samples over one window: rtt 10 ms and 30 ms alternating, in flight rising to 20.
    for (int i = 0; i <= 20; i++) {
      limit.onSample((i % 2 == 0 ? 10 : 30) * MS, i, t);
      t += 5 * MS;
    }
    assertEquals(1, rule.windows.size());
    assertEquals(20 * MS, rule.windows.get(0)[0], MS);
    assertEquals(20, rule.windows.get(0)[1]);
    assertEquals(7, limit.limit(), "the limit is the rule's");

    // The next window opens at the sample that closed the last one: its samples are its own.
    for (int i = 0; i < 20; i++) {
      t += 5 * MS;
      limit.onSample(50 * MS, 3, t);
    }
    assertEquals(2, rule.windows.size());
    assertEquals(50 * MS, rule.windows.get(1)[0], 1);
    assertEquals(3, rule.windows.get(1)[1]);
  }

  @Test
  void aWindowWithTooFewSamplesIsDropped() {
    Recorded rule = new Recorded();
    WindowedLimit limit = new WindowedLimit(100 * MS, rule);
    long t = 0;
    for (int i = 0; i < WindowedLimit.MIN_SAMPLES - 1; i++) {
      limit.onSample(10 * MS, 1, t);
      t += 20 * MS;
    }
    assertEquals(0, rule.windows.size());
  }
}
