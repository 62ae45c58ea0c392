package io.spillway.shed;

import io.spillway.config.Priority;
import io.spillway.config.ShedConfig;
import org.junit.jupiter.api.Test;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Several threads admit and release at once, as the HttpVerticles' event loops do. */
class LoadShedderConcurrencyTest {
  private static final int LIMIT = 16;
  private static final int NON_CRITICAL = 12;
  private static final int MAX_QUEUE = 8;

  @Test
  void manyThreadsNeverExceedTheLimitNorTheQueueAndLeaveNothingBehind() throws Exception {
    ShedConfig config = Configs.shed("{\"algorithm\":\"fixed\",\"initialLimit\":" + LIMIT + ",\"minLimit\":1,"
        + "\"criticalReserve\":0.25,\"maxQueueMs\":100,\"maxQueueLength\":" + MAX_QUEUE + ",\"eventLoopLagMs\":0,"
        + "\"perClient\":{\"enabled\":true,\"maxInFlight\":6}}");
    FakeClock clock = new FakeClock();
    LoadShedder shedder = new LoadShedder(null, config, ConcurrencyLimit.from(config), clock, clock, null);
    AtomicReference<String> failure = new AtomicReference<>();
    AtomicInteger admitted = new AtomicInteger();
    AtomicInteger queuedThenAdmitted = new AtomicInteger();
    int threads = 4;
    CountDownLatch start = new CountDownLatch(1);
    List<Thread> workers = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      Thread worker = new Thread(() -> {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        ArrayDeque<Permit> held = new ArrayDeque<>();
        try {
          start.await();
          for (int i = 0; i < 20_000; i++) {
            Priority priority = Priority.values()[random.nextInt(3)];
            String client = random.nextBoolean() ? "key:" + random.nextInt(4) : null;
            Permit permit = shedder.admit(priority, client);
            if (permit.admitted().isComplete()) {
              if (permit.admitted().succeeded()) {
                check(permit, failure);
                admitted.incrementAndGet();
                held.add(permit);
              }
            } else {
              permit.admitted().onComplete(ar -> {
                if (ar.succeeded()) {
                  check(permit, failure);
                  queuedThenAdmitted.incrementAndGet();
                  permit.release();
                }
              });
            }
            if (shedder.queueLength() > MAX_QUEUE) {
              failure.compareAndSet(null, "queue length " + shedder.queueLength());
            }
            if (held.size() > 3 || (!held.isEmpty() && random.nextInt(4) == 0)) {
              Permit done = held.poll();
              if (random.nextInt(10) == 0) {
                done.abandon();
              } else {
                done.release();
              }
              done.release();
            }
          }
          held.forEach(Permit::release);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      });
      workers.add(worker);
      worker.start();
    }
    start.countDown();
    for (Thread worker : workers) {
      worker.join();
    }
    assertNull(failure.get());
    assertTrue(admitted.get() > 0 && queuedThenAdmitted.get() > 0,
        "the run should exercise both paths: " + admitted + " admitted, " + queuedThenAdmitted + " after waiting");
    assertEquals(0, shedder.queueLength(), "every waiter got a slot as the others finished");
    assertEquals(0, shedder.inflight(), "every slot came back exactly once");
    assertEquals(0, shedder.clients().clients(), "every client count came back");
  }

  private static void check(Permit permit, AtomicReference<String> failure) {
    int cap = permit.priority() == Priority.CRITICAL ? LIMIT : NON_CRITICAL;
    if (permit.inflightAtAdmission() > cap) {
      failure.compareAndSet(null, permit.priority() + " admitted as number " + permit.inflightAtAdmission());
    }
  }
}
