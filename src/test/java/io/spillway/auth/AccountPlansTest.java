package io.spillway.auth;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
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
 * The plan cache on a clock the test moves, with lookups the test answers by hand: an active account's requests
 * never wait for its plan after the first lookup, lookups of one account are one at a time, and a change
 * published on this node is not undone by a lookup that was already under way.
 */
class AccountPlansTest {
  private static final int TTL_SECONDS = 30;
  private static final long ACCOUNT = 7;

  private final Vertx vertx = Vertx.vertx();
  private final AtomicLong now = new AtomicLong(TimeUnit.SECONDS.toNanos(1000));
  private final List<Promise<String>> lookups = new ArrayList<>();
  private final AccountPlans plans = new AccountPlans(vertx, id -> {
    Promise<String> lookup = Promise.promise();
    lookups.add(lookup);
    return lookup.future();
  }, "free", TTL_SECONDS, now::get);

  @AfterEach
  void close() {
    vertx.close().await();
  }

  /** A request of the account, its plan looked up (the lookup answered with {@code plan}) and cached. */
  private void cached(String plan) {
    plans.planOf(ACCOUNT);
    lookups.get(lookups.size() - 1).complete(plan);
  }

  /** The next request finds no cached plan ({@code why}): it waits for a lookup, answered with {@code plan}. */
  private void assertLooksUp(String plan, String why) {
    Future<String> request = plans.planOf(ACCOUNT);
    assertFalse(request.isComplete(), why);
    lookups.get(lookups.size() - 1).complete(plan);
    assertEquals(plan, request.result());
  }

  private void advanceSeconds(double seconds) {
    now.addAndGet((long) (seconds * 1e9));
  }

  @Test
  void concurrentRequestsOfAnAccountShareOneLookup() {
    List<Future<String>> requests = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      requests.add(plans.planOf(ACCOUNT));
    }
    assertEquals(1, lookups.size(), "one lookup for twenty requests");
    lookups.get(0).complete("pro");
    requests.forEach(r -> assertEquals("pro", r.result()));
    assertEquals("pro", plans.planOf(ACCOUNT).result(), "cached");
    assertEquals(1, lookups.size());
  }

  @Test
  void aPlanInUseIsLookedUpAgainWhileItsRequestsGoOn() {
    cached("pro");
    advanceSeconds(TTL_SECONDS * 0.85);
    for (int i = 0; i < 10; i++) {
      Future<String> request = plans.planOf(ACCOUNT);
      assertTrue(request.isComplete(), "answered from the cache, not made to wait");
      assertEquals("pro", request.result());
    }
    assertEquals(2, lookups.size(), "one lookup in the background for all those requests");

    lookups.get(1).complete("team");
    assertEquals("team", plans.planOf(ACCOUNT).result(), "the new answer replaces the plan");
    advanceSeconds(TTL_SECONDS * 0.5);
    Future<String> later = plans.planOf(ACCOUNT);
    assertTrue(later.isComplete(), "past the first lookup's lifetime the plan is still cached");
    assertEquals("team", later.result());
  }

  @Test
  void aPlanNobodyUsesNearItsEndStillExpires() {
    cached("pro");
    advanceSeconds(TTL_SECONDS + 1);
    assertLooksUp("pro", "expired: the request waits for a lookup");
    assertEquals(2, lookups.size());
  }

  @Test
  void aChangeIsNotUndoneByALookupAlreadyUnderWay() {
    cached("free");
    advanceSeconds(TTL_SECONDS * 0.9);
    plans.planOf(ACCOUNT);
    assertEquals(2, lookups.size());

    plans.changed(ACCOUNT);
    lookups.get(1).complete("free");
    assertLooksUp("pro", "what the older lookup read is not cached: the next request looks up again");
    assertEquals(3, lookups.size());
  }

  @Test
  void anAccountWithoutAStoredPlanIsOnTheDefault() {
    Future<String> request = plans.planOf(ACCOUNT);
    lookups.get(0).complete(null);
    assertEquals("free", request.result());
  }
}
