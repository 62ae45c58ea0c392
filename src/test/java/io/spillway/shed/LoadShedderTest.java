package io.spillway.shed;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.spillway.config.Priority;
import io.spillway.config.ShedConfig;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Admission rules on a fixed limit of 10 with 2 slots reserved for critical requests, on a fake clock. */
class LoadShedderTest {
  private final FakeClock clock = new FakeClock();
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

  private LoadShedder shedder(String extra) {
    return shedder(extra, registry);
  }

  private LoadShedder shedder(String extra, SimpleMeterRegistry meters) {
    ShedConfig config = Configs.shed("{\"algorithm\":\"fixed\",\"initialLimit\":10,\"minLimit\":1,"
        + "\"criticalReserve\":0.2,\"maxQueueMs\":100,\"maxQueueLength\":3,\"eventLoopLagMs\":100"
        + (extra.isEmpty() ? "" : "," + extra) + "}");
    return new LoadShedder(null, config, ConcurrencyLimit.from(config), clock, clock, meters);
  }

  private LoadShedder shedder() {
    return shedder("");
  }

  private static List<Permit> admitAll(LoadShedder shedder, Priority priority, int n) {
    List<Permit> permits = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      Permit p = shedder.admit(priority);
      assertTrue(p.admitted().succeeded(), priority + " request " + i + " should be admitted");
      permits.add(p);
    }
    return permits;
  }

  private static Rejection.Reason reason(Permit permit) {
    assertTrue(permit.admitted().failed(), "expected a rejection");
    return assertInstanceOf(Rejection.class, permit.admitted().cause()).reason();
  }

  private double rejected(Priority priority, Rejection.Reason reason) {
    return registry.get("spillway.shed.rejected").tag("priority", priority.label()).tag("reason", reason.label())
        .counter().count();
  }

  @Test
  void underTheLimitEverythingIsAdmitted() {
    LoadShedder shedder = shedder();
    admitAll(shedder, Priority.SHEDDABLE, 4);
    admitAll(shedder, Priority.NORMAL, 4);
    assertEquals(8, shedder.inflight());
    assertEquals(0, shedder.queueLength());
  }

  @Test
  void sheddableIsRejectedAtOnceAtTheLimit() {
    LoadShedder shedder = shedder();
    admitAll(shedder, Priority.NORMAL, 8);
    Permit p = shedder.admit(Priority.SHEDDABLE);
    assertEquals(Rejection.Reason.LIMIT, reason(p));
    assertEquals(503, ((Rejection) p.admitted().cause()).status());
    assertEquals(0, shedder.queueLength());
    assertEquals(1.0, rejected(Priority.SHEDDABLE, Rejection.Reason.LIMIT));
  }

  @Test
  void normalWaitsThenIsRejectedAfterMaxQueueMs() {
    LoadShedder shedder = shedder();
    admitAll(shedder, Priority.NORMAL, 8);
    Permit waiting = shedder.admit(Priority.NORMAL);
    assertFalse(waiting.admitted().isComplete());
    assertEquals(1, shedder.queueLength());

    clock.advanceMillis(99);
    assertFalse(waiting.admitted().isComplete(), "still within maxQueueMs");
    clock.advanceMillis(1);
    assertEquals(Rejection.Reason.QUEUE_TIMEOUT, reason(waiting));
    assertEquals(0, shedder.queueLength());
    assertEquals(8, shedder.inflight());
    assertEquals(1.0, rejected(Priority.NORMAL, Rejection.Reason.QUEUE_TIMEOUT));
  }

  @Test
  void aReleasedSlotGoesToTheOldestWaiter() {
    LoadShedder shedder = shedder();
    List<Permit> held = admitAll(shedder, Priority.NORMAL, 8);
    Permit first = shedder.admit(Priority.NORMAL);
    Permit second = shedder.admit(Priority.NORMAL);
    clock.advanceMillis(50);

    held.get(0).release();
    assertTrue(first.admitted().succeeded());
    assertFalse(second.admitted().isComplete());
    held.get(1).release();
    assertTrue(second.admitted().succeeded());
    assertEquals(8, shedder.inflight());
    clock.advanceMillis(500);
    assertEquals(0, clock.pendingTimers(), "no timeout timer is left once nobody waits");
    assertTrue(second.admitted().succeeded());
  }

  @Test
  void oneTimeoutTimerServesTheWholeQueueAndEachWaiterLeavesAtItsOwnDeadline() {
    LoadShedder shedder = shedder();
    admitAll(shedder, Priority.NORMAL, 8);
    admitAll(shedder, Priority.CRITICAL, 2);
    Permit first = shedder.admit(Priority.NORMAL);
    clock.advanceMillis(40);
    Permit second = shedder.admit(Priority.NORMAL);
    Permit critical = shedder.admit(Priority.CRITICAL);
    assertEquals(3, shedder.queueLength());
    assertEquals(1, clock.pendingTimers(), "three waiters, one timer");

    clock.advanceMillis(60);
    assertEquals(Rejection.Reason.QUEUE_TIMEOUT, reason(first), "the oldest leaves at its 100 ms");
    assertFalse(second.admitted().isComplete(), "queued 40 ms later, it still has 40 ms to go");
    assertFalse(critical.admitted().isComplete());
    assertEquals(1, clock.pendingTimers(), "the timer is set again for the next oldest");

    clock.advanceMillis(39);
    assertFalse(second.admitted().isComplete());
    clock.advanceMillis(1);
    assertEquals(Rejection.Reason.QUEUE_TIMEOUT, reason(second));
    assertEquals(Rejection.Reason.QUEUE_TIMEOUT, reason(critical));
    assertEquals(0, shedder.queueLength());
    assertEquals(0, clock.pendingTimers());
    assertEquals(2.0, rejected(Priority.NORMAL, Rejection.Reason.QUEUE_TIMEOUT));
    assertEquals(1.0, rejected(Priority.CRITICAL, Rejection.Reason.QUEUE_TIMEOUT));
  }

  @Test
  void aNewRequestDoesNotOvertakeWaiters() {
    LoadShedder shedder = shedder();
    List<Permit> held = admitAll(shedder, Priority.NORMAL, 8);
    Permit waiting = shedder.admit(Priority.NORMAL);
    held.get(0).release();
    assertTrue(waiting.admitted().succeeded());
    Permit late = shedder.admit(Priority.NORMAL);
    assertFalse(late.admitted().isComplete(), "the freed slot went to the waiter; the newcomer waits");
  }

  @Test
  void criticalUsesTheReserveTheOthersCannotTake() {
    LoadShedder shedder = shedder();
    List<Permit> held = admitAll(shedder, Priority.NORMAL, 8);
    Permit normal = shedder.admit(Priority.NORMAL);
    assertFalse(normal.admitted().isComplete(), "normal requests stop at limit - reserve");

    admitAll(shedder, Priority.CRITICAL, 2);
    assertEquals(10, shedder.inflight());

    Permit critical = shedder.admit(Priority.CRITICAL);
    assertFalse(critical.admitted().isComplete(), "past the whole limit even critical requests wait");
    held.get(0).release();
    assertTrue(critical.admitted().succeeded(), "a freed slot goes to the critical waiter first");
    assertFalse(normal.admitted().isComplete());
  }

  @Test
  void theReserveHoldsBackAtLeastOneSlotAndNeverAll() {
    LoadShedder shedder = shedder();
    assertEquals(2, shedder.reserve(10));
    assertEquals(1, shedder.reserve(3));
    assertEquals(0, shedder.reserve(1));
    assertEquals(0, shedder("\"criticalReserve\":0", null).reserve(10));
    assertEquals(9, shedder("\"criticalReserve\":0.9", null).reserve(10));
  }

  @Test
  void theQueueNeverGrowsPastMaxQueueLength() {
    LoadShedder shedder = shedder();
    admitAll(shedder, Priority.NORMAL, 8);
    List<Permit> waiting = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      waiting.add(shedder.admit(Priority.NORMAL));
    }
    assertEquals(3, shedder.queueLength());
    Permit overflow = shedder.admit(Priority.NORMAL);
    assertEquals(Rejection.Reason.QUEUE_FULL, reason(overflow));
    assertEquals(3, shedder.queueLength());
    assertEquals(1.0, rejected(Priority.NORMAL, Rejection.Reason.QUEUE_FULL));
  }

  @Test
  void aCriticalRequestPushesTheYoungestNormalWaiterOutOfAFullQueue() {
    LoadShedder shedder = shedder();
    admitAll(shedder, Priority.NORMAL, 8);
    admitAll(shedder, Priority.CRITICAL, 2);
    List<Permit> waiting = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      waiting.add(shedder.admit(Priority.NORMAL));
    }
    Permit critical = shedder.admit(Priority.CRITICAL);
    assertFalse(critical.admitted().isComplete());
    assertEquals(3, shedder.queueLength());
    assertEquals(Rejection.Reason.QUEUE_FULL, reason(waiting.get(2)));
    assertFalse(waiting.get(0).admitted().isComplete());
    assertFalse(waiting.get(1).admitted().isComplete());
  }

  @Test
  void aSlotIsReleasedExactlyOnce() {
    LoadShedder shedder = shedder();
    List<Permit> held = admitAll(shedder, Priority.NORMAL, 3);
    Permit p = held.get(0);
    p.release();
    p.release();
    p.abandon();
    assertEquals(2, shedder.inflight());

    Permit q = held.get(1);
    q.abandon();
    q.release();
    assertEquals(1, shedder.inflight());

    admitAll(shedder, Priority.NORMAL, 7);
    Permit refused = shedder.admit(Priority.SHEDDABLE);
    refused.release();
    refused.abandon();
    assertEquals(8, shedder.inflight(), "releasing a refused request frees nothing");
  }

  @Test
  void aWaiterThatGoesAwayLeavesTheQueueAndTakesNoSlot() {
    LoadShedder shedder = shedder();
    List<Permit> held = admitAll(shedder, Priority.NORMAL, 8);
    Permit gone = shedder.admit(Priority.NORMAL);
    Permit next = shedder.admit(Priority.NORMAL);
    gone.abandon();
    assertInstanceOf(CancellationException.class, gone.admitted().cause());
    assertEquals(1, shedder.queueLength());

    held.get(0).release();
    assertTrue(next.admitted().succeeded());
    assertEquals(8, shedder.inflight());
    gone.release();
    assertEquals(8, shedder.inflight());
  }

  @Test
  void queueingOffMeansNormalIsRejectedAtTheLimit() {
    LoadShedder shedder = shedder("\"maxQueueMs\":0");
    admitAll(shedder, Priority.NORMAL, 8);
    assertEquals(Rejection.Reason.LIMIT, reason(shedder.admit(Priority.NORMAL)));
  }

  @Test
  void perClientCapReturns429AndIsGivenBackOnRelease() {
    LoadShedder shedder = shedder("\"perClient\":{\"enabled\":true,\"maxInFlight\":2}");
    Permit a = shedder.admit(Priority.NORMAL, "key:a");
    Permit b = shedder.admit(Priority.NORMAL, "key:a");
    Permit c = shedder.admit(Priority.NORMAL, "key:a");
    assertTrue(a.admitted().succeeded());
    assertTrue(b.admitted().succeeded());
    assertEquals(Rejection.Reason.CLIENT_LIMIT, reason(c));
    assertEquals(429, ((Rejection) c.admitted().cause()).status());
    assertTrue(shedder.admit(Priority.NORMAL, "key:b").admitted().succeeded(), "other clients are unaffected");
    assertEquals(1.0, rejected(Priority.NORMAL, Rejection.Reason.CLIENT_LIMIT));

    a.release();
    a.release();
    assertEquals(1, shedder.clients().inflight("key:a"));
    assertTrue(shedder.admit(Priority.NORMAL, "key:a").admitted().succeeded());
  }

  @Test
  void aClientCountIsGivenBackWhenTheNodeRefusesOrTheWaiterLeaves() {
    LoadShedder shedder = shedder("\"perClient\":{\"enabled\":true,\"maxInFlight\":5}");
    admitAll(shedder, Priority.NORMAL, 8);
    assertEquals(Rejection.Reason.LIMIT, reason(shedder.admit(Priority.SHEDDABLE, "key:a")));
    assertEquals(0, shedder.clients().inflight("key:a"));

    Permit timesOut = shedder.admit(Priority.NORMAL, "key:a");
    Permit leaves = shedder.admit(Priority.NORMAL, "key:a");
    assertEquals(2, shedder.clients().inflight("key:a"));
    leaves.abandon();
    clock.advanceMillis(100);
    assertEquals(Rejection.Reason.QUEUE_TIMEOUT, reason(timesOut));
    assertEquals(0, shedder.clients().inflight("key:a"));
    assertEquals(0, shedder.clients().clients(), "no entry is kept for a client with nothing in flight");
  }

  @Test
  void aClientKnownOnlyAfterAuthenticationIsCountedOnce() {
    LoadShedder shedder = shedder("\"perClient\":{\"enabled\":true,\"maxInFlight\":1}");
    Permit first = shedder.admit(Priority.NORMAL);
    assertTrue(first.attachClient("user:u1"));
    assertTrue(first.attachClient("user:u1"), "attaching twice counts once");
    Permit second = shedder.admit(Priority.NORMAL);
    assertFalse(second.attachClient("user:u1"));
    first.release();
    assertEquals(0, shedder.clients().inflight("user:u1"));
    assertTrue(shedder.admit(Priority.NORMAL).attachClient("user:u1"));
  }

  @Test
  void aLaggingEventLoopCountsAsFullForAllButCritical() {
    LoadShedder shedder = shedder();
    EventLoopLag probe = shedder.probe("loop-1");
    probe.measured(TimeUnit.MILLISECONDS.toNanos(250), clock.getAsLong());
    assertTrue(shedder.lagging());
    assertEquals(0.25, shedder.eventLoopLagSeconds(), 1e-9);

    assertEquals(Rejection.Reason.LIMIT, reason(shedder.admit(Priority.SHEDDABLE)));
    assertEquals(Rejection.Reason.LIMIT, reason(shedder.admit(Priority.NORMAL)),
        "normal is refused at once although nothing is in flight: its queue timer would run late on the lagging loop");
    assertTrue(shedder.admit(Priority.CRITICAL).admitted().succeeded());

    clock.advanceMillis(10);
    probe.measured(TimeUnit.MILLISECONDS.toNanos(2), clock.getAsLong());
    assertFalse(shedder.lagging());
    assertTrue(shedder.admit(Priority.NORMAL).admitted().succeeded(), "let in once the lag clears");
  }

  @Test
  void theLagOfAProbeThatStoppedReportingIsForgotten() {
    LoadShedder shedder = shedder();
    EventLoopLag dead = shedder.probe("undeployed");
    EventLoopLag live = shedder.probe("alive");
    dead.measured(TimeUnit.MILLISECONDS.toNanos(500), clock.getAsLong());
    assertTrue(shedder.lagging());
    for (int i = 0; i < 5; i++) {
      clock.advanceMillis(50);
      live.measured(0, clock.getAsLong());
    }
    assertFalse(shedder.lagging());
  }

  @Test
  void latencyOfFinishedRequestsMovesTheLimit() {
    ShedConfig config = Configs.shed("{\"algorithm\":\"gradient2\",\"initialLimit\":20,\"minLimit\":2,"
        + "\"maxLimit\":100,\"windowMs\":100,\"eventLoopLagMs\":0,\"warmupMs\":0}");
    LoadShedder shedder = new LoadShedder(null, config, ConcurrencyLimit.from(config), clock, clock, registry);
    int before = shedder.limit();
    runWindows(shedder, 5, 5);
    int steady = shedder.limit();
    assertTrue(steady > before, "low steady latency on a busy node: the limit probes upwards");
    runWindows(shedder, 4, 40);
    assertTrue(shedder.limit() < steady, "latency rose: the limit falls");
    assertEquals(shedder.limit(), registry.get("spillway.shed.limit").gauge().value());
  }

  @Test
  void aColdAdaptiveNodeDoesNotShedANormalLoadWhileItWarmsUp() {
    ShedConfig config = Configs.shed("{\"algorithm\":\"gradient2\",\"initialLimit\":4,\"minLimit\":2,"
        + "\"maxLimit\":50,\"criticalReserve\":0,\"eventLoopLagMs\":100,\"warmupMs\":1000}");
    LoadShedder shedder = new LoadShedder(null, config, ConcurrencyLimit.from(config), clock, clock, registry);
    EventLoopLag probe = shedder.probe("loop");
    probe.measured(TimeUnit.MILLISECONDS.toNanos(500), clock.getAsLong()); // a cold loop lags
    List<Permit> held = admitAll(shedder, Priority.SHEDDABLE, 30);
    assertTrue(shedder.warmingUp());
    held.forEach(Permit::release);

    clock.advanceMillis(1001);
    probe.measured(0, clock.getAsLong());
    assertFalse(shedder.warmingUp());
    List<Permit> after = new ArrayList<>();
    Permit refused = null;
    for (int i = 0; i < 60 && refused == null; i++) {
      Permit p = shedder.admit(Priority.SHEDDABLE);
      if (p.admitted().failed()) {
        refused = p;
      } else {
        after.add(p);
      }
    }
    assertTrue(refused != null && after.size() <= 50, "after the warm-up the learned limit applies");
  }

  @Test
  void aNormalRequestIsRefusedAtOnceWhileTheLoopsLagInsteadOfQueueing() {
    LoadShedder shedder = shedder();
    admitAll(shedder, Priority.NORMAL, 8);
    EventLoopLag probe = shedder.probe("loop");
    probe.measured(TimeUnit.MILLISECONDS.toNanos(500), clock.getAsLong());
    Permit p = shedder.admit(Priority.NORMAL);
    assertEquals(Rejection.Reason.LIMIT, reason(p), "a queue timer on a lagging loop could not keep maxQueueMs");
    assertEquals(0, shedder.queueLength());
  }

  @Test
  void aWaiterPastMaxQueueMsIsRefusedWhenASlotFreesEvenIfItsTimerIsLate() {
    LoadShedder shedder = shedder();
    List<Permit> held = admitAll(shedder, Priority.NORMAL, 8);
    Permit waiting = shedder.admit(Priority.NORMAL);
    assertTrue(waiting.isWaiting());
    clock.advanceMillis(150); // past maxQueueMs (100); the fake timer has not fired
    held.get(0).release();
    assertEquals(Rejection.Reason.QUEUE_TIMEOUT, reason(waiting), "not let in 150 ms late");
  }

  /** Keeps the node full: each round admits up to the limit, lets rttMs pass, then releases everything. */
  private void runWindows(LoadShedder shedder, int windows, long rttMs) {
    for (int round = 0; round < windows * 100 / rttMs + 1; round++) {
      List<Permit> batch = new ArrayList<>();
      for (int i = 0; i < shedder.limit(); i++) {
        Permit p = shedder.admit(Priority.CRITICAL);
        if (p.admitted().succeeded()) {
          batch.add(p);
        }
      }
      clock.advanceMillis(rttMs);
      batch.forEach(Permit::release);
    }
  }

  @Test
  void disabledSheddingAdmitsEverythingButStillCounts() {
    LoadShedder shedder = shedder("\"enabled\":false");
    admitAll(shedder, Priority.SHEDDABLE, 50);
    assertEquals(50, shedder.inflight());
  }

  @Test
  void gaugesShowTheNodeState() {
    LoadShedder shedder = shedder();
    admitAll(shedder, Priority.NORMAL, 8);
    shedder.admit(Priority.NORMAL);
    assertEquals(10, registry.get("spillway.shed.limit").gauge().value());
    assertEquals(8, registry.get("spillway.shed.inflight").gauge().value());
    assertEquals(1, registry.get("spillway.shed.queue.length").gauge().value());
    assertEquals(0, registry.get("spillway.eventloop.lag").gauge().value());
  }
}
