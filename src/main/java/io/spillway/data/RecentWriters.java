package io.spillway.data;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Who wrote recently, so their next reads go to the primary and see their own writes (replicas lag).
 * Bounded (least recently written are forgotten first) and per node: a client that moves between nodes
 * within {@code data.readYourWritesMs} may read a replica that has not caught up yet.
 */
final class RecentWriters {
  private final long windowMs;
  private final Map<Long, Long> lastWrite;

  RecentWriters(long windowMs, int capacity) {
    this.windowMs = windowMs;
    this.lastWrite = new LinkedHashMap<>(1024, 0.75f, true) {
      @Override
      protected boolean removeEldestEntry(Map.Entry<Long, Long> eldest) {
        return size() > capacity;
      }
    };
  }

  synchronized void wrote(long userId) {
    if (windowMs > 0) {
      lastWrite.put(userId, System.currentTimeMillis());
    }
  }

  synchronized boolean wroteRecently(Long userId) {
    if (userId == null || windowMs == 0) {
      return false;
    }
    Long at = lastWrite.get(userId);
    return at != null && System.currentTimeMillis() - at < windowMs;
  }
}
