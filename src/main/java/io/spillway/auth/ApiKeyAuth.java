package io.spillway.auth;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.spillway.web.Caller;
import io.spillway.web.ProblemType;
import io.spillway.web.Problems;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;

import java.time.Duration;
import java.util.Optional;
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
  // What the store said about a key id, for ttlSeconds: the key, or empty for no such key (so a stream of
  // bad ids does not reach the database on every request either).
  private final Cache<Long, Optional<StoredKey>> cache;

  public ApiKeyAuth(Function<Long, Future<StoredKey>> lookup, int ttlSeconds) {
    this.lookup = lookup;
    this.cache = Caffeine.newBuilder()
        .maximumSize(CACHE_CAPACITY)
        .expireAfterWrite(Duration.ofSeconds(ttlSeconds))
        .build();
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
    Optional<StoredKey> hit = cache.getIfPresent(id);
    if (hit != null) {
      return Future.succeededFuture(hit.orElse(null));
    }
    return lookup.apply(id).onSuccess(found -> cache.put(id, Optional.ofNullable(found)));
  }

  private static void reject(RoutingContext ctx, String reason) {
    Problems.send(ctx, ProblemType.INVALID_API_KEY.with(reason));
  }
}
