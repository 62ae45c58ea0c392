package io.spillway.limit;

import io.spillway.config.LimitsConfig;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import static io.spillway.limit.LimitTesting.policy;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The in-process fallback on a fake clock: the same algorithm semantics as the scripts, limits / nodes. */
class LocalLimiterTest {
  private static final long SECOND = 1_000_000;
  /** 2024-05-10T12:00:00Z, half a second into a second: windows are epoch-aligned like the scripts'. */
  private final AtomicLong clock = new AtomicLong(1_715_342_400L * SECOND + SECOND / 2);
  private final LocalLimiter limiter = new LocalLimiter(clock::get);

  private static Policy compile(JsonObject policy) {
    LimitsConfig c = LimitTesting.limitsOf(policy);
    return new PolicySet(c).policies.get(0);
  }

  private Outcome take(Policy p, int cost, int nodes) {
    return limiter.evaluate(List.of(Charge.on(p, "k", p.name, "", cost)), true, nodes).get(0);
  }

  private int admitted(Policy p, int attempts, int nodes) {
    int n = 0;
    for (int i = 0; i < attempts; i++) {
      n += take(p, 1, nodes).ok() ? 1 : 0;
    }
    return n;
  }

  private void advance(long micros) {
    clock.addAndGet(micros);
  }

  @Test
  void tokenBucketStartsFullAndRefillsAtRate() {
    Policy p = compile(policy("tb", "token-bucket", "rate", 10, "burst", 5));
    assertEquals(5, admitted(p, 10, 1));
    Outcome rejected = take(p, 1, 1);
    assertFalse(rejected.ok());
    assertEquals(100, rejected.retryMillis());
    advance(SECOND / 10);
    assertTrue(take(p, 1, 1).ok());
    advance(10 * SECOND);
    assertEquals(5, admitted(p, 10, 1), "refills to the burst, never beyond");
  }

  @Test
  void tokenBucketCostTakesSeveralTokens() {
    Policy p = compile(policy("tb", "token-bucket", "rate", 1, "burst", 5));
    Outcome first = take(p, 3, 1);
    assertTrue(first.ok());
    assertEquals(2, first.remaining());
    Outcome second = take(p, 3, 1);
    assertFalse(second.ok());
    assertEquals(2, second.remaining(), "a rejected request takes nothing");
    assertEquals(1000, second.retryMillis());
  }

  @Test
  void costAboveCapacityIsAlwaysRejected() {
    for (JsonObject json : List.of(
        policy("a", "token-bucket", "rate", 1, "burst", 5),
        policy("b", "gcra", "limit", 5, "windowSeconds", 1),
        policy("c", "fixed-window", "limit", 5, "windowSeconds", 1),
        policy("d", "sliding-window-log", "limit", 5, "windowSeconds", 1),
        policy("e", "sliding-window-counter", "limit", 5, "windowSeconds", 1),
        policy("f", "quota", "limit", 5, "period", "day"))) {
      Outcome o = take(compile(json), 6, 1);
      assertFalse(o.ok(), json.encode());
      assertEquals(Outcome.Code.OVER_CAPACITY, o.code(), json.encode());
      assertEquals(-1, o.retryMillis());
      assertEquals(Decision.COST_EXCEEDS_CAPACITY, Decision.from(List.of(o), true).reason());
    }
  }

  @Test
  void limitsAreDividedByExpectedNodes() {
    Policy p = compile(policy("fw", "fixed-window", "limit", 10, "windowSeconds", 60));
    assertEquals(4, admitted(p, 20, 3), "ceil(10 / 3)");
    Policy tb = compile(policy("tb", "token-bucket", "rate", 4, "burst", 8));
    assertEquals(4, admitted(tb, 20, 2));
    advance(SECOND);
    assertEquals(2, admitted(tb, 20, 2), "refills at rate / nodes");
  }

  @Test
  void gcraAllowsTheBurstThenOnePerInterval() {
    Policy p = compile(policy("g", "gcra", "limit", 10, "windowSeconds", 1, "burst", 3));
    assertEquals(3, admitted(p, 10, 1));
    Outcome rejected = take(p, 1, 1);
    assertEquals(100, rejected.retryMillis());
    advance(SECOND / 10);
    assertEquals(1, admitted(p, 10, 1));
  }

  @Test
  void fixedWindowAllowsADoubleBurstAcrossTheBoundary() {
    Policy p = compile(policy("fw", "fixed-window", "limit", 5, "windowSeconds", 1));
    advance(SECOND / 2 - 1000); // 1 ms before the boundary
    assertEquals(5, admitted(p, 10, 1));
    advance(2000);
    assertEquals(5, admitted(p, 10, 1));
  }

  @Test
  void slidingLogDoesNot() {
    Policy p = compile(policy("sl", "sliding-window-log", "limit", 5, "windowSeconds", 1));
    advance(SECOND / 2 - 1000);
    assertEquals(5, admitted(p, 10, 1));
    advance(2000);
    Outcome o = take(p, 1, 1);
    assertFalse(o.ok());
    assertEquals(998, o.retryMillis());
    advance(998_000);
    assertEquals(5, admitted(p, 10, 1));
  }

  @Test
  void slidingCounterWeighsThePreviousWindow() {
    Policy p = compile(policy("sc", "sliding-window-counter", "limit", 10, "windowSeconds", 1));
    assertEquals(10, admitted(p, 20, 1)); // at 0.5 s
    advance(SECOND / 2 + SECOND / 4); // 0.25 s into the next window: previous weighs 0.75 -> 7.5 used
    assertEquals(2, admitted(p, 20, 1));
    Outcome o = take(p, 1, 1);
    assertFalse(o.ok());
    // 9.5 used; room for one more when 10 * (1 - t) + 2 + 1 <= 10, t = 0.3 s into the window.
    assertEquals(50, o.retryMillis());
  }

  @Test
  void quotaResetsAtTheUtcPeriodEnd() {
    Policy p = compile(policy("q", "quota", "limit", 3, "period", "day"));
    assertEquals(3, admitted(p, 5, 1));
    Outcome o = take(p, 1, 1);
    assertEquals(11 * 3600 * 1000 + 59 * 60 * 1000 + 59 * 1000 + 500, o.retryMillis());
    advance(o.retryMillis() * 1000);
    assertEquals(3, admitted(p, 5, 1));
  }

  @Test
  void rejectedRequestConsumesNothingInAnyPolicy() {
    Policy wide = compile(policy("wide", "fixed-window", "limit", 100, "windowSeconds", 60));
    Policy narrow = compile(policy("narrow", "fixed-window", "limit", 2, "windowSeconds", 60));
    List<Charge> both = List.of(Charge.on(wide, "k", "w", "", 1), Charge.on(narrow, "k", "n", "", 1));
    int admitted = 0;
    for (int i = 0; i < 5; i++) {
      admitted += Decision.from(limiter.evaluate(both, true, 1), true).admitted() ? 1 : 0;
    }
    assertEquals(2, admitted);
    assertEquals(98, limiter.evaluate(List.of(Charge.on(wide, "k", "w", "", 1)), false, 1).get(0).remaining());
  }

  @Test
  void idleSubjectsAreForgotten() {
    Policy p = compile(policy("fw", "fixed-window", "limit", 5, "windowSeconds", 1));
    for (int i = 0; i < 100; i++) {
      limiter.evaluate(List.of(Charge.on(p, "k", "subject-" + i, "", 1)), true, 1);
    }
    assertEquals(100, limiter.size());
    advance(2 * SECOND);
    for (int i = 0; i < LocalLimiter.MAX_SUBJECTS / 20; i++) {
      limiter.evaluate(List.of(Charge.on(p, "k", "other", "", 1)), false, 1);
    }
    assertTrue(limiter.size() <= 2, "swept: " + limiter.size());
  }
}
