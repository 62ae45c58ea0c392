package io.spillway.web;

import com.github.benmanes.caffeine.cache.Caffeine;

/**
 * Where every in-memory cache of the node starts: a Caffeine builder whose upkeep (evictions, expiries,
 * draining its read and write buffers) runs a little at a time on the thread that reads or writes, not on
 * the common fork-join pool. Caches read and filled on every request (the near cache fills on every miss)
 * otherwise woke a pool thread hundreds of times a second, costing more than the upkeep itself.
 */
public final class Caches {
  private Caches() {
  }

  /** {@code Caffeine.newBuilder()} with the upkeep on the calling thread. */
  public static Caffeine<Object, Object> builder() {
    return Caffeine.newBuilder().executor(Runnable::run);
  }
}
