package io.spillway.web;

import io.vertx.core.Future;
import io.vertx.core.internal.ContextInternal;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * Collects the items one event loop submits in one turn (the requests it read from its sockets together) and
 * hands them to {@code send} as one list once the turn is over, or as soon as {@code max} are waiting. Off an
 * event loop (tests, start-up) an item is sent alone. Used for the limiter's Redis calls and the cache's misses
 * (Redis reads and fills, database loads): one round trip for what a turn needs instead of one per request.
 *
 * <p>With a bound on batches in flight ({@link #inFlight}), a batch whose turn ends while that many of this
 * loop's batches are still unanswered waits, and keeps gathering, until one of them answers (or it is full):
 * under load a round trip carries what arrived during the previous one, so the cost per item falls as the load
 * rises; with nothing in flight a batch leaves at the end of its turn, as without the bound.
 */
public final class TurnBatches<T> {
  private final int max;
  private final int maxInFlight;
  private final Function<List<T>, Future<?>> send;
  // One state per event-loop thread: only that thread touches it.
  private final ThreadLocal<Loop<T>> loops = ThreadLocal.withInitial(Loop::new);

  private static final class Loop<T> {
    List<T> pending = new ArrayList<>();
    boolean turnEndSet;
    int inFlight;
  }

  /** Batches sent at the end of each turn, however many are unanswered. */
  public TurnBatches(int max, Consumer<List<T>> send) {
    this(max, 0, batch -> {
      send.accept(batch);
      return null;
    });
  }

  private TurnBatches(int max, int maxInFlight, Function<List<T>, Future<?>> send) {
    this.max = max;
    this.maxInFlight = maxInFlight;
    this.send = send;
  }

  /**
   * Batches of which at most {@code maxInFlight} per event loop are unanswered at a time (full batches
   * excepted); {@code send} answers when the batch is done, whatever its outcome.
   */
  public static <T> TurnBatches<T> inFlight(int max, int maxInFlight, Function<List<T>, Future<?>> send) {
    if (maxInFlight < 1) {
      throw new IllegalArgumentException("maxInFlight must be at least 1");
    }
    return new TurnBatches<>(max, maxInFlight, send);
  }

  public void add(T item) {
    ContextInternal ctx = ContextInternal.current();
    if (ctx == null || !ctx.isEventLoopContext()) {
      send.apply(List.of(item));
      return;
    }
    // A batch belongs to no request: it is sent on the event loop's own context, so no request's
    // context-local state (its trace, its consistency token) rides along with the others' items.
    ContextInternal loop = ctx.unwrap();
    Loop<T> state = loops.get();
    state.pending.add(item);
    if (state.pending.size() >= max) {
      List<T> full = take(state);
      loop.dispatch(() -> sendNow(loop, state, full));
    } else {
      endOfTurn(loop, state);
    }
  }

  /** Runs {@link #turnEnded} after the event loop has handled what it read in this turn (once per turn). */
  private void endOfTurn(ContextInternal loop, Loop<T> state) {
    if (!state.turnEndSet) {
      state.turnEndSet = true;
      loop.runOnContext(v -> turnEnded(loop, state));
    }
  }

  private void turnEnded(ContextInternal loop, Loop<T> state) {
    state.turnEndSet = false;
    if (state.pending.isEmpty() || (maxInFlight > 0 && state.inFlight >= maxInFlight)) {
      return; // Nothing to send, or it waits for a batch in flight to answer.
    }
    sendNow(loop, state, take(state));
  }

  private List<T> take(Loop<T> state) {
    List<T> batch = state.pending;
    state.pending = new ArrayList<>();
    return batch;
  }

  private void sendNow(ContextInternal loop, Loop<T> state, List<T> batch) {
    Future<?> answered;
    try {
      answered = send.apply(batch);
    } catch (RuntimeException e) {
      answered = Future.failedFuture(e);
    }
    if (maxInFlight == 0) {
      return;
    }
    state.inFlight++;
    // The answer of a call made on this loop arrives on it; anything else is brought back to it.
    answered.onComplete(ar -> {
      if (loop.inThread()) {
        answered(loop, state);
      } else {
        loop.runOnContext(v -> answered(loop, state));
      }
    });
  }

  private void answered(ContextInternal loop, Loop<T> state) {
    state.inFlight--;
    // What gathered meanwhile leaves at the end of this turn, with what the answer's callbacks add.
    if (!state.pending.isEmpty()) {
      endOfTurn(loop, state);
    }
  }
}
