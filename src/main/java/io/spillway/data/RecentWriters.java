package io.spillway.data;

import com.github.benmanes.caffeine.cache.Cache;
import io.spillway.web.Caches;

import java.util.concurrent.TimeUnit;

/**
 * Who wrote recently, so their next reads go to the primary and see their own writes (replicas lag). Shared
 * by the node's data verticles; bounded (at capacity, entries are evicted one by one) and each entry expires
 * {@code data.readYourWritesMs} after the write. Per node: a client that moves between nodes within that time
 * may read a replica that has not caught up yet, unless it sends the consistency token its write's answer
 * carried ({@link Shards#reader}).
 */
final class RecentWriters {
  private final Cache<Long, Boolean> writers;

  RecentWriters(long windowMs, int capacity) {
    this.writers = windowMs <= 0 ? null : Caches.builder()
        .maximumSize(capacity)
        .expireAfterWrite(windowMs, TimeUnit.MILLISECONDS)
        .build();
  }

  void wrote(long userId) {
    if (writers != null) {
      writers.put(userId, Boolean.TRUE);
    }
  }

  boolean wroteRecently(Long userId) {
    return userId != null && writers != null && writers.getIfPresent(userId) != null;
  }
}
