package io.spillway.auth;

import io.spillway.web.Caller;
import io.spillway.web.ProblemType;
import io.spillway.web.Problems;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;

/**
 * Router handler for {@code X-API-Key}: authenticates the request as the key's owner, on the key's plan.
 * Keys are looked up through a short-lived local cache ({@code auth.apiKeyCacheSeconds}), not the database on
 * every request, so a revoked key stops working within that time. A malformed, unknown or revoked key is a
 * 401. Without the header the request passes on to the bearer-token handler.
 */
public final class ApiKeyAuth implements Handler<RoutingContext> {
  public static final String HEADER = "X-API-Key";
  private static final int CACHE_CAPACITY = 10_000;

  /** What authentication needs to know of a stored key. */
  public record StoredKey(long id, long userId, String plan, byte[] keyHash, boolean revoked) {}

  private final Function<Long, Future<StoredKey>> lookup;
  private final long ttlMs;
  // One cache per HttpVerticle: only its event loop touches it.
  private final Map<Long, Cached> cache = new LinkedHashMap<>(1024, 0.75f, true) {
    @Override
    protected boolean removeEldestEntry(Map.Entry<Long, Cached> eldest) {
      return size() > CACHE_CAPACITY;
    }
  };

  private record Cached(StoredKey key, long expiresAt) {}

  public ApiKeyAuth(Function<Long, Future<StoredKey>> lookup, int ttlSeconds) {
    this.lookup = lookup;
    this.ttlMs = ttlSeconds * 1000L;
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
        Caller.of(ctx).withApiKey(stored.userId(), String.valueOf(stored.id()), stored.plan()).attach(ctx);
        ctx.next();
      }
    });
  }

  private Future<StoredKey> find(long id) {
    long now = System.currentTimeMillis();
    Cached hit = cache.get(id);
    if (hit != null && hit.expiresAt() > now) {
      return Future.succeededFuture(hit.key());
    }
    return lookup.apply(id).onSuccess(found -> cache.put(id, new Cached(found, now + ttlMs)));
  }

  private static void reject(RoutingContext ctx, String reason) {
    Problems.send(ctx, ProblemType.INVALID_API_KEY.with(reason));
  }
}
