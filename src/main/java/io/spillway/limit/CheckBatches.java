package io.spillway.limit;

import io.spillway.web.TurnBatches;
import io.vertx.core.Future;
import io.vertx.core.Promise;

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
  private final TurnBatches<Check> consuming;
  private final TurnBatches<Check> peeking;

  private record Check(List<Charge> charges, Promise<List<Outcome>> promise) {}

  CheckBatches(RedisLimits limits) {
    this.limits = limits;
    this.consuming = new TurnBatches<>(MAX_BATCH, batch -> run(batch, true));
    this.peeking = new TurnBatches<>(MAX_BATCH, batch -> run(batch, false));
  }

  Future<List<Outcome>> submit(List<Charge> charges, boolean consume) {
    Promise<List<Outcome>> promise = Promise.promise();
    (consume ? consuming : peeking).add(new Check(charges, promise));
    return promise.future();
  }

  private void run(List<Check> batch, boolean consume) {
    List<List<Charge>> requests = new ArrayList<>(batch.size());
    batch.forEach(c -> requests.add(c.charges()));
    limits.runBatch(requests, consume).onComplete(ar -> {
      for (int i = 0; i < batch.size(); i++) {
        Promise<List<Outcome>> p = batch.get(i).promise();
        if (ar.succeeded()) {
          p.complete(ar.result().get(i));
        } else {
          p.fail(ar.cause());
        }
      }
    });
  }
}
