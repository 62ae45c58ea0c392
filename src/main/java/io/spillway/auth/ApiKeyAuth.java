package io.spillway.auth;

import com.github.benmanes.caffeine.cache.Cache;
import io.spillway.web.Caller;
import io.spillway.web.Ids;
import io.spillway.web.ProblemType;
import io.spillway.web.Problems;
import io.spillway.web.Caches;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.ext.web.RoutingContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * Router handler for {@code X-API-Key}: authenticates the request as the key's owner (the account's plan is
 * attached later, by {@link AccountPlans}, whatever the credential). Keys are looked up through a
 * short-lived local cache ({@code auth.apiKeyCacheSeconds}), not the database on every request, so a revoked
 * key stops working within that time. A malformed, unknown or revoked key is a 401. Without the header the
 * request passes on to the bearer-token handler.
 *
 * <p>Made-up keys are cheap: a malformed one is refused unread, an id that does not exist is remembered in a
 * small cache of its own (so a flood of them cannot push real keys out of the key cache), and nothing is
 * written for a key whose secret does not match. The address-keyed limits that run before authentication
 * bound how many lookups one address can cause. A key's {@code last_used_at} is written in batches, every
 * {@code auth.apiKeyUsedFlushSeconds}, for the keys that authenticated a request.
 */
public final class ApiKeyAuth implements Handler<RoutingContext> {
  public static final String HEADER = "X-API-Key";
  private static final Logger LOG = LoggerFactory.getLogger(ApiKeyAuth.class);
  private static final int CACHE_CAPACITY = 10_000;
  private static final int UNKNOWN_CAPACITY = 1_000;

  /** What authentication needs to know of a stored key. */
  public record StoredKey(long id, long userId, byte[] keyHash, boolean revoked) {}

  private final Function<Long, Future<StoredKey>> lookup;
  private final Function<List<Long>, Future<Void>> touch;
  private final Cache<Long, StoredKey> keys;
  private final Cache<Long, Boolean> unknown;
  private final Set<Long> used = ConcurrentHashMap.newKeySet();

  /**
   * {@code lookup} finds a key by id (null when there is none); {@code touch} records a batch of uses. Call it
   * from the verticle that uses the handler: the flush timer runs on its context.
   */
  public ApiKeyAuth(Vertx vertx, Function<Long, Future<StoredKey>> lookup, Function<List<Long>, Future<Void>> touch,
                    int ttlSeconds, int flushSeconds) {
    this.lookup = lookup;
    this.touch = touch;
    this.keys = Caches.builder().maximumSize(CACHE_CAPACITY).expireAfterWrite(Duration.ofSeconds(ttlSeconds)).build();
    this.unknown = Caches.builder().maximumSize(UNKNOWN_CAPACITY).expireAfterWrite(Duration.ofSeconds(ttlSeconds)).build();
    vertx.setPeriodic(flushSeconds * 1000L, t -> flush());
  }

  @Override
  public void handle(RoutingContext ctx) {
    String key = ctx.request().getHeader(HEADER);
    if (key == null) {
      ctx.next();
      return;
    }
    long id = ApiKeys.idOf(key);
    if (id < 0) {
      reject(ctx, "the API key is malformed");
      return;
    }
    find(id).onComplete(ar -> {
      if (ar.failed()) {
        ctx.fail(ar.cause());
        return;
      }
      StoredKey stored = ar.result();
      if (stored == null || !ApiKeys.matches(key, stored.keyHash())) {
        reject(ctx, "the API key is not valid");
      } else if (stored.revoked()) {
        reject(ctx, "the API key was revoked");
      } else {
        used.add(stored.id());
        Caller.of(ctx).withApiKey(stored.userId(), String.valueOf(stored.id()), null).attach(ctx);
        ctx.next();
      }
    });
  }

  Future<StoredKey> find(long id) {
    StoredKey hit = keys.getIfPresent(Ids.spread(id));
    if (hit != null || unknown.getIfPresent(Ids.spread(id)) != null) {
      return Future.succeededFuture(hit);
    }
    return lookup.apply(id).onSuccess(found -> {
      if (found == null) {
        unknown.put(Ids.spread(id), Boolean.TRUE);
      } else {
        keys.put(Ids.spread(id), found);
      }
    });
  }

  /** Writes the uses seen since the last flush; a failed write is retried with the next batch. */
  void flush() {
    if (used.isEmpty()) {
      return;
    }
    List<Long> batch = new ArrayList<>(used);
    used.removeAll(batch);
    touch.apply(batch).onFailure(err -> {
      used.addAll(batch);
      LOG.warn("recording the use of {} API key(s) failed, retrying with the next batch: {}", batch.size(),
          err.getMessage());
    });
  }

  private static void reject(RoutingContext ctx, String reason) {
    Problems.send(ctx, ProblemType.INVALID_API_KEY.with(reason));
  }
}
