package io.spillway.web;

import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class IdsTest {
  /** An id as next_id() makes it: milliseconds since the epoch, the logical shard, a sequence. */
  private static long id(long millis, int logicalShard, int sequence) {
    return (millis << 23) | ((long) (logicalShard & 8191) << 10) | (sequence % 1024);
  }

  @Test
  void idsMadeInOneSecondFillAHashTableInsteadOfPilingIntoAFewBuckets() {
    int buckets = 4096;
    Set<Integer> plain = new HashSet<>();
    Set<Integer> spread = new HashSet<>();
    Set<Long> distinct = new HashSet<>();
    for (int i = 0; i < 2000; i++) {
      long id = id(1_700_000_000_000L + i / 2, i % 1024, i);
      plain.add(bucket(Long.hashCode(id), buckets));
      spread.add(bucket(Long.hashCode(Ids.spread(id)), buckets));
      distinct.add(Ids.spread(id));
    }
    assertEquals(2000, distinct.size(), "no two ids share a spread value");
    assertTrue(plain.size() < 1000, "the ids as they are crowd into " + plain.size() + " buckets (the test's premise)");
    assertTrue(spread.size() > 1500, "spread ids use " + spread.size() + " of " + buckets + " buckets");
  }

  /** The bucket java.util.HashMap and ConcurrentHashMap pick in a table of {@code size} slots. */
  private static int bucket(int hash, int size) {
    return (hash ^ (hash >>> 16)) & (size - 1);
  }
}
