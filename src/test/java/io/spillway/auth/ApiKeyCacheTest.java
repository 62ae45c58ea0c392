package io.spillway.auth;

import io.spillway.testkit.Await;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/**
 * The key lookups a node makes: made-up ids are remembered apart from real keys, so a flood of them neither
 * reaches the database twice nor pushes real keys out of their cache.
 */
class ApiKeyCacheTest {
  private final Vertx vertx = Vertx.vertx();
  private final Map<Long, AtomicInteger> lookups = new ConcurrentHashMap<>();
  private final ApiKeyAuth.StoredKey real = new ApiKeyAuth.StoredKey(42, 7, new byte[32], false);

  @AfterEach
  void close() {
    vertx.close().await();
  }

  @Test
  void aFloodOfUnknownIdsDoesNotEvictRealKeys() {
    ApiKeyAuth auth = new ApiKeyAuth(vertx, id -> {
      lookups.computeIfAbsent(id, k -> new AtomicInteger()).incrementAndGet();
      return Future.succeededFuture(id == 42 ? real : null);
    }, ids -> Future.succeededFuture(), 3600, 3600);
    assertEquals(real, Await.result(auth.find(42)));
    for (long id = 1_000; id < 31_000; id++) {
      assertNull(Await.result(auth.find(id)));
      if (id % 1000 == 0) {
        assertEquals(real, Await.result(auth.find(42)), "the real key is still a cache hit");
      }
    }
    assertNull(Await.result(auth.find(99)));
    assertNull(Await.result(auth.find(99)));
    assertEquals(1, lookups.get(42L).get(), "the real key was looked up once");
    assertEquals(1, lookups.get(99L).get(), "an unknown id asked again is remembered");
  }
}
