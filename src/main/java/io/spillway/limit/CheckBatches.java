package io.spillway.limit;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;

import java.util.ArrayList;
import java.util.List;

/**
 * Coalesces the checks that one event loop makes in one turn (the requests it read from its sockets
 * together) into one script call: one Redis round trip and one script run for the lot instead of one per
 * request. Redis still decides each request on its own, atomically, in arrival order, so limits stay exact.
 * Off an event loop (tests, start-up) a check runs alone.
 */
final class CheckBatches {
  private static final int MAX_BATCH = 128;

  private final RedisLimits limits;
  // One pending batch per event-loop thread and mode: only that thread touches it.
  private final ThreadLocal<Batch[]> pending = ThreadLocal.withInitial(() -> new Batch[2]);

  private record Check(List<Charge> charges, Promise<List<Outcome>> promise) {}

  private static final class Batch {
    final List<Check> checks = new ArrayList<>();
  }

  CheckBatches(RedisLimits limits) {
    this.limits = limits;
  }

  Future<List<Outcome>> submit(List<Charge> charges, boolean consume) {
    Context ctx = Vertx.currentContext();
    if (ctx == null || !ctx.isEventLoopContext()) {
      return limits.runBatch(List.of(charges), consume).map(all -> all.get(0));
    }
    Batch[] batches = pending.get();
    int mode = consume ? 1 : 0;
    Batch batch = batches[mode];
    if (batch == null) {
      batch = new Batch();
      batches[mode] = batch;
      Batch scheduled = batch;
      // Runs after the event loop has handled what it read in this turn.
      ctx.runOnContext(v -> flush(batches, mode, scheduled, consume));
    }
    Promise<List<Outcome>> promise = Promise.promise();
    batch.checks.add(new Check(charges, promise));
    if (batch.checks.size() >= MAX_BATCH) {
      flush(batches, mode, batch, consume);
    }
    return promise.future();
  }

  private void flush(Batch[] batches, int mode, Batch batch, boolean consume) {
    if (batches[mode] != batch) {
      return; // Already sent when it filled up.
    }
    batches[mode] = null;
    List<List<Charge>> requests = new ArrayList<>(batch.checks.size());
    batch.checks.forEach(c -> requests.add(c.charges()));
    limits.runBatch(requests, consume).onComplete(ar -> {
      for (int i = 0; i < batch.checks.size(); i++) {
        Promise<List<Outcome>> p = batch.checks.get(i).promise();
        if (ar.succeeded()) {
          p.complete(ar.result().get(i));
        } else {
          p.fail(ar.cause());
        }
      }
    });
  }
}
