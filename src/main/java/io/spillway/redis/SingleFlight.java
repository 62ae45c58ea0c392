package io.spillway.redis;

import io.vertx.core.AsyncResult;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.internal.ContextInternal;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * At most one load per key at a time on this node: concurrent misses for one key wait for the first one's
 * load instead of each reading the database. Each waiter is answered on its own event loop (its own context),
 * so no request is completed from another thread.
 */
public final class SingleFlight<K, V> {
  private final ConcurrentHashMap<K, Flight<V>> flights = new ConcurrentHashMap<>();

  private static final class Flight<V> {
    private final List<Promise<V>> waiters = new ArrayList<>(2);
    private AsyncResult<V> result;

    /** False when the flight already landed: the caller starts a new one. */
    synchronized boolean join(Promise<V> waiter) {
      if (result != null) {
        return false;
      }
      waiters.add(waiter);
      return true;
    }

    void land(AsyncResult<V> ar) {
      List<Promise<V>> all;
      synchronized (this) {
        result = ar;
        all = List.copyOf(waiters);
      }
      for (Promise<V> p : all) {
        p.handle(ar);
      }
    }
  }

  public Future<V> run(K key, Supplier<Future<V>> load) {
    ContextInternal ctx = ContextInternal.current();
    Promise<V> waiter = ctx != null ? ctx.promise() : Promise.promise();
    while (true) {
      Flight<V> fresh = new Flight<>();
      Flight<V> flight = flights.putIfAbsent(key, fresh);
      if (flight == null) {
        fresh.join(waiter);
        Future<V> loading;
        try {
          loading = load.get();
        } catch (RuntimeException e) {
          loading = Future.failedFuture(e);
        }
        loading.onComplete(ar -> {
          flights.remove(key, fresh);
          fresh.land(ar);
        });
        return waiter.future();
      }
      if (flight.join(waiter)) {
        return waiter.future();
      }
      flights.remove(key, flight);
    }
  }

  public int inFlight() {
    return flights.size();
  }
}
