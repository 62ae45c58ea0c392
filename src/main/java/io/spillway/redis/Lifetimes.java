package io.spillway.redis;

import com.github.benmanes.caffeine.cache.Expiry;

import java.util.function.ToLongFunction;

/**
 * Caffeine entries that each live as long as their value says (a lease until its end, a cached 404 shorter
 * than a representation): written entries get their value's lifetime, reads do not extend it.
 */
public final class Lifetimes {
  private Lifetimes() {}

  /** {@code nanosToLive} gives a value's lifetime in nanoseconds from the moment it is written. */
  public static <K, V> Expiry<K, V> of(ToLongFunction<V> nanosToLive) {
    return new Expiry<>() {
      @Override
      public long expireAfterCreate(K key, V value, long currentTime) {
        return Math.max(0, nanosToLive.applyAsLong(value));
      }

      @Override
      public long expireAfterUpdate(K key, V value, long currentTime, long currentDuration) {
        return expireAfterCreate(key, value, currentTime);
      }

      @Override
      public long expireAfterRead(K key, V value, long currentTime, long currentDuration) {
        return currentDuration;
      }
    };
  }
}
