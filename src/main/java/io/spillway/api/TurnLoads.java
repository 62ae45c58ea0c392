package io.spillway.api;

import io.spillway.data.Requests;
import io.spillway.web.Consistency;
import io.spillway.web.TurnBatches;
import io.vertx.core.Future;
import io.vertx.core.Promise;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BiFunction;

/**
 * Loads of one kind by id that the requests of one event-loop turn need, sent to the data layer as one batched
 * read ({@link TurnBatches}): under load, concurrent cache misses for different ids cost one event-bus hop and
 * one query per shard between them instead of one each. The read is for every viewer of the batch (a viewer who
 * has just written reads the primary, as a single read would).
 *
 * @param <T> what the data layer answers per id; an id it does not hold loads as null
 */
final class TurnLoads<T> {
  /** Ids per batched read at most. */
  private static final int MAX_BATCH = 128;
  /**
   * Batched reads per event loop unanswered at a time: under load the next one carries the misses that arrived
   * while the previous one ran, so PostgreSQL runs fewer, larger queries (its cost is mostly per statement).
   */
  private static final int IN_FLIGHT = 1;

  private record Load<T>(long id, Long viewer, Promise<T> promise) {}

  private final BiFunction<List<Long>, List<Long>, Future<Map<Long, T>>> read;
  private final TurnBatches<Load<T>> batches = TurnBatches.inFlight(MAX_BATCH, IN_FLIGHT, this::send);

  /** {@code read}: (ids, viewers) -> what was found, by id. */
  TurnLoads(BiFunction<List<Long>, List<Long>, Future<Map<Long, T>>> read) {
    this.read = read;
  }

  /**
   * The item with {@code id} for {@code viewer} (may be null), or null when there is none. A request that
   * carries a consistency token reads alone, in its own context, so the data layer sees its token.
   */
  Future<T> load(long id, Long viewer) {
    if (Consistency.required() != null) {
      return read.apply(List.of(id), Requests.viewers(viewer)).map(found -> found.get(id));
    }
    Promise<T> promise = Promise.promise();
    batches.add(new Load<>(id, viewer, promise));
    return promise.future();
  }

  private Future<?> send(List<Load<T>> batch) {
    Set<Long> ids = new LinkedHashSet<>(batch.size() * 2);
    Set<Long> viewers = new LinkedHashSet<>();
    for (Load<T> l : batch) {
      ids.add(l.id());
      if (l.viewer() != null) {
        viewers.add(l.viewer());
      }
    }
    Future<Map<Long, T>> found;
    try {
      found = read.apply(List.copyOf(ids), List.copyOf(viewers));
    } catch (RuntimeException e) {
      found = Future.failedFuture(e);
    }
    return found.onComplete(ar -> {
      for (Load<T> l : batch) {
        if (ar.succeeded()) {
          l.promise().complete(ar.result().get(l.id()));
        } else {
          l.promise().fail(ar.cause());
        }
      }
    });
  }
}
