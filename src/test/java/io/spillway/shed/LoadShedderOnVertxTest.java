package io.spillway.shed;

import io.spillway.config.Priority;
import io.spillway.config.ShedConfig;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The parts that depend on Vert.x itself: waking on the waiter's own context, real timers, real lag. */
@ExtendWith(VertxExtension.class)
class LoadShedderOnVertxTest {
  private static final ShedConfig ONE_SLOT = Configs.shed("{\"algorithm\":\"fixed\",\"initialLimit\":1,"
      + "\"minLimit\":1,\"criticalReserve\":0,\"maxQueueMs\":200,\"maxQueueLength\":4,\"eventLoopLagMs\":0}");

  @Test
  void aWaiterIsWokenOnItsOwnContextWhenAnotherReleases(Vertx vertx, VertxTestContext test) {
    LoadShedder shedder = LoadShedder.create(vertx, ONE_SLOT, null);
    Context holder = vertx.getOrCreateContext();
    Context waiter = vertx.getOrCreateContext();
    holder.runOnContext(v -> {
      Permit held = shedder.admit(Priority.NORMAL);
      waiter.runOnContext(w -> {
        Permit queued = shedder.admit(Priority.NORMAL);
        queued.admitted().onComplete(test.succeeding(ok -> test.verify(() -> {
          assertSame(waiter, Vertx.currentContext(), "woken on the context that waited");
          queued.release();
          test.completeNow();
        })));
        holder.runOnContext(x -> held.release());
      });
    });
  }

  @Test
  void aWaiterTimesOutOnARealTimer(Vertx vertx, VertxTestContext test) {
    LoadShedder shedder = LoadShedder.create(vertx, ONE_SLOT, null);
    Context context = vertx.getOrCreateContext();
    context.runOnContext(v -> {
      shedder.admit(Priority.NORMAL);
      shedder.admit(Priority.NORMAL).admitted().onComplete(test.failing(err -> test.verify(() -> {
        assertSame(context, Vertx.currentContext());
        Rejection rejection = assertInstanceOf(Rejection.class, err);
        assertTrue(rejection.reason() == Rejection.Reason.QUEUE_TIMEOUT);
        assertTrue(shedder.queueLength() == 0);
        test.completeNow();
      })));
    });
  }

  @Test
  void aBlockedEventLoopShowsAsLag(Vertx vertx, VertxTestContext test) {
    Context context = vertx.getOrCreateContext();
    long blockMs = 300;
    EventLoopLag probe = new EventLoopLag(20, System::nanoTime, now -> {});
    context.runOnContext(v -> {
      probe.start(vertx);
      // Busy the loop well past the probe interval: the probe's next timer can only fire late.
      long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(blockMs);
      while (System.nanoTime() < until) {
        Thread.onSpinWait();
      }
    });
    watchForLag(vertx, probe, test);
  }

  private static void watchForLag(Vertx vertx, EventLoopLag probe, VertxTestContext test) {
    vertx.setTimer(5, id -> {
      if (probe.lagNanos() > TimeUnit.MILLISECONDS.toNanos(100)) {
        probe.stop();
        test.completeNow();
      } else if (!test.completed()) {
        watchForLag(vertx, probe, test);
      }
    });
  }

  @Test
  void theNodeHasOneSharedShedder(Vertx vertx) {
    LoadShedder a = LoadShedder.shared(vertx, ONE_SLOT, null);
    LoadShedder b = LoadShedder.shared(vertx, ONE_SLOT, null);
    assertSame(a, b);
    a.close();
    assertTrue(LoadShedder.shared(vertx, ONE_SLOT, null) != a, "a closed shedder is not handed out again");
  }
}
