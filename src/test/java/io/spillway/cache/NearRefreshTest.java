package io.spillway.cache;

import io.spillway.config.CacheConfig;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Refresh ahead in the near cache, on a clock the test moves: a hot entry is reloaded before it expires while
 * its readers are answered from memory, and a reload never refills what a write removed. The near layer alone
 * (no Redis): each reload reaches the loader, which the test answers by hand.
 */
class NearRefreshTest {
  private static final long TTL_MS = 1000;

  private final Vertx vertx = Vertx.vertx();
  private final AtomicLong now = new AtomicLong(TimeUnit.SECONDS.toNanos(100));
  private final List<Promise<Entry>> loads = new ArrayList<>();
  private final CacheKey key = CacheKey.user(42);

  @AfterEach
  void close() {
    vertx.close().await();
  }

  private ReadCache cache(double refreshAfter) {
    CacheConfig config = new CacheConfig(true, true, 1000, 1 << 20, TTL_MS, refreshAfter, false, 300, 0.1, 100,
        TTL_MS, 2000);
    return ReadCache.start(vertx, config, null, "test:", null, now::get);
  }

  private Future<Entry> read(ReadCache cache) {
    return cache.get(key, () -> {
      Promise<Entry> load = Promise.promise();
      loads.add(load);
      return load.future();
    });
  }

  private void answer(int load, String name) {
    loads.get(load).complete(Entry.of(Buffer.buffer("{\"name\":\"" + name + "\"}")));
  }

  private void advanceMs(long ms) {
    now.addAndGet(TimeUnit.MILLISECONDS.toNanos(ms));
  }

  private static String body(Future<Entry> read) {
    assertTrue(read.isComplete(), "answered from memory, without waiting for a load");
    return read.result().toString();
  }

  @Test
  void aHotEntryIsReloadedBeforeItExpiresAndNoReaderWaitsForIt() {
    ReadCache cache = cache(0.8);
    Future<Entry> first = read(cache);
    assertFalse(first.isComplete(), "a miss waits for the loader");
    answer(0, "v1");

    advanceMs(700);
    assertEquals("{\"name\":\"v1\"}", body(read(cache)));
    assertEquals(1, loads.size(), "not due before 80% of its lifetime");

    advanceMs(200);
    assertEquals("{\"name\":\"v1\"}", body(read(cache)), "due: still answered from the entry");
    assertEquals(2, loads.size(), "and a reload started");
    assertEquals("{\"name\":\"v1\"}", body(read(cache)));
    assertEquals(2, loads.size(), "one reload, however many readers see the entry due");

    answer(1, "v2");
    assertEquals("{\"name\":\"v2\"}", body(read(cache)), "the reload replaced the entry");

    // Past the first fill's TTL: the entry the reload made lives on, and is reloaded in its own turn.
    advanceMs(900);
    assertEquals("{\"name\":\"v2\"}", body(read(cache)));
    assertEquals(3, loads.size());
    answer(2, "v3");

    // Nobody reads it for longer than its lifetime: it expires like any entry.
    advanceMs(TTL_MS + 1);
    assertFalse(read(cache).isComplete(), "an entry nobody read near its end still expires");
    assertEquals(4, loads.size());
  }

  @Test
  void aReloadThatRacesAWriteDoesNotBringTheOldValueBack() {
    ReadCache cache = cache(0.8);
    read(cache);
    answer(0, "before");
    advanceMs(850);
    assertEquals("{\"name\":\"before\"}", body(read(cache)));
    assertEquals(2, loads.size(), "a reload is in flight");

    cache.wrote(key).await();
    answer(1, "before");

    Future<Entry> afterWrite = read(cache);
    assertFalse(afterWrite.isComplete(), "the write emptied the entry and the reload did not refill it");
    answer(2, "after");
    assertEquals("{\"name\":\"after\"}", afterWrite.result().toString());
  }

  @Test
  void withRefreshOffAnEntryExpiresUnderReads() {
    ReadCache cache = cache(0);
    read(cache);
    answer(0, "v1");
    advanceMs(TTL_MS - 1);
    assertEquals("{\"name\":\"v1\"}", body(read(cache)));
    assertEquals(1, loads.size(), "no reload when refresh ahead is off");
    advanceMs(2);
    assertFalse(read(cache).isComplete(), "the next reader waits for the load");
  }
}
