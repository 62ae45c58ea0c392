package io.spillway.push;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The ids of the last events seen, bounded. The relay publishes at least once, so an event may arrive
 * twice (a new Kafka offset, the same event id), usually close together: this catches the repeat before it
 * reaches history or a socket. Confined to one verticle's context, so a plain insertion-ordered map: the
 * oldest id is always the one forgotten, where a frequency-based cache (Caffeine) could turn a fresh id away
 * and let its repeat through.
 */
final class RecentEventIds {
  private final LinkedHashMap<String, Boolean> ids;

  RecentEventIds(int capacity) {
    this.ids = new LinkedHashMap<>(capacity * 2, 0.75f, false) {
      @Override
      protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
        return size() > capacity;
      }
    };
  }

  /** True the first time {@code id} is seen (within the window). */
  boolean firstTime(String id) {
    return ids.put(id, Boolean.TRUE) == null;
  }
}
