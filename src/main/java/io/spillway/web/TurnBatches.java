package io.spillway.web;

import io.vertx.core.internal.ContextInternal;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * Collects the items one event loop submits in one turn (the requests it read from its sockets together) and
 * hands them to {@code send} as one list once the turn is over, or as soon as {@code max} are waiting. Off an
 * event loop (tests, start-up) an item is sent alone. Used for the limiter's Redis calls and the cache's misses
 * (Redis reads and fills, database loads): one round trip for what a turn needs instead of one per request.
 */
public final class TurnBatches<T> {
  private final int max;
  private final Consumer<List<T>> send;
  // One pending batch per event-loop thread: only that thread touches it.
  private final ThreadLocal<List<List<T>>> pending = ThreadLocal.withInitial(() -> new ArrayList<>(1));

  public TurnBatches(int max, Consumer<List<T>> send) {
    this.max = max;
    this.send = send;
  }

  public void add(T item) {
    ContextInternal ctx = ContextInternal.current();
    if (ctx == null || !ctx.isEventLoopContext()) {
      send.accept(List.of(item));
      return;
    }
    // A batch belongs to no request: it is sent on the event loop's own context, so no request's
    // context-local state (its trace, its consistency token) rides along with the others' items.
    ContextInternal loop = ctx.unwrap();
    List<List<T>> slot = pending.get();
    if (slot.isEmpty()) {
      List<T> batch = new ArrayList<>();
      slot.add(batch);
      // Runs after the event loop has handled what it read in this turn.
      loop.runOnContext(v -> flush(slot, batch));
    }
    List<T> batch = slot.get(0);
    batch.add(item);
    if (batch.size() >= max) {
      loop.dispatch(() -> flush(slot, batch));
    }
  }

  private void flush(List<List<T>> slot, List<T> batch) {
    if (slot.isEmpty() || slot.get(0) != batch) {
      return; // Already sent when it filled up.
    }
    slot.clear();
    send.accept(batch);
  }
}
