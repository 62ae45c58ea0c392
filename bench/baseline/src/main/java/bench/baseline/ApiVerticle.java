package bench.baseline;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.JWTOptions;
import io.vertx.ext.auth.PubSecKeyOptions;
import io.vertx.ext.auth.jwt.JWTAuth;
import io.vertx.ext.auth.jwt.JWTAuthOptions;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.JWTAuthHandler;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisAPI;
import io.vertx.redis.client.RedisOptions;
import io.vertx.redis.client.Response;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;

import java.util.List;

/**
 * What a competent Vert.x developer writes in an afternoon for "a JWT-protected, rate-limited, cached read":
 * <ul>
 *   <li>{@code GET /hello}: a small JSON object;</li>
 *   <li>{@code GET /api/data/:id}: HS256 bearer token (vertx-auth-jwt), a fixed-window limit per subject in
 *       Redis ({@code INCR}, {@code EXPIRE} on the window's first hit, 429 over the limit), then cache-aside:
 *       Redis {@code GET}, on a miss the row from PostgreSQL and {@code SET ... EX}.</li>
 * </ul>
 * One instance per core; each has its own Pg pool and Redis client (bound to its event loop).
 */
public final class ApiVerticle extends VerticleBase {
  private static final String USER_BY_ID = "SELECT id, name, bio, post_count, follower_count, following_count, "
      + "created_at FROM users WHERE id = $1";
  private static final String HELLO = new JsonObject().put("message", "hello").encode();

  private Pool pg;
  private Redis redisClient;
  private RedisAPI redis;
  private int limitPerWindow;
  private int windowSeconds;
  private String cacheTtl;

  @Override
  public Future<?> start() {
    JsonObject c = config();
    limitPerWindow = c.getInteger("limitPerWindow");
    windowSeconds = c.getInteger("windowSeconds");
    cacheTtl = Integer.toString(c.getInteger("cacheTtlSeconds"));

    pg = PgBuilder.pool()
        .with(new PoolOptions().setMaxSize(c.getInteger("pgPoolSize")))
        .connectingTo(new PgConnectOptions()
            .setHost(c.getString("pgHost"))
            .setPort(c.getInteger("pgPort"))
            .setDatabase(c.getString("pgDatabase"))
            .setUser(c.getString("pgUser"))
            .setPassword(c.getString("pgPassword")))
        .using(vertx)
        .build();
    // The client's default pool (6 connections, 24 waiting) refuses work at a few dozen concurrent requests;
    // sized like Spillway's (redis.poolSize 32, maxWaiting 2048, per HTTP verticle).
    redisClient = Redis.createClient(vertx, new RedisOptions()
        .setConnectionString(c.getString("redisUri"))
        .setMaxPoolSize(c.getInteger("redisPoolSize"))
        .setMaxPoolWaiting(2048)
        .setMaxWaitingHandlers(8192));
    redis = RedisAPI.api(redisClient);
    JWTAuth jwt = JWTAuth.create(vertx, new JWTAuthOptions()
        .addPubSecKey(new PubSecKeyOptions().setAlgorithm("HS256").setBuffer(c.getString("jwtSecret")))
        .setJWTOptions(new JWTOptions()
            .setIssuer(c.getString("jwtIssuer"))
            .setAudience(List.of(c.getString("jwtAudience")))));

    Router router = Router.router(vertx);
    router.get("/hello").handler(ctx -> ctx.response().putHeader("Content-Type", "application/json").end(HELLO));
    router.get("/api/data/:id")
        .handler(JWTAuthHandler.create(jwt))
        .handler(this::rateLimit)
        .handler(this::data);

    return vertx.createHttpServer()
        .requestHandler(router)
        .listen(c.getInteger("port"));
  }

  /** Fixed window per subject: the window's first request sets the key's expiry. */
  private void rateLimit(RoutingContext ctx) {
    long window = System.currentTimeMillis() / 1000 / windowSeconds;
    String key = "baseline:limit:" + ctx.user().subject() + ":" + window;
    redis.incr(key)
        .compose(count -> count.toLong() == 1
            ? redis.expire(List.of(key, Integer.toString(windowSeconds))).map(count)
            : Future.succeededFuture(count))
        .onSuccess(count -> {
          if (count.toLong() > limitPerWindow) {
            ctx.response().setStatusCode(429).putHeader("Retry-After", Integer.toString(windowSeconds)).end();
          } else {
            ctx.next();
          }
        })
        .onFailure(ctx::fail);
  }

  /** Cache-aside read of one row as JSON. */
  private void data(RoutingContext ctx) {
    long id;
    try {
      id = Long.parseLong(ctx.pathParam("id"));
    } catch (NumberFormatException e) {
      ctx.response().setStatusCode(400).end();
      return;
    }
    String key = "baseline:data:" + id;
    redis.get(key)
        .compose(cached -> cached != null ? Future.succeededFuture(cached.toString()) : load(id, key))
        .onSuccess(json -> {
          if (json == null) {
            ctx.response().setStatusCode(404).end();
          } else {
            ctx.response().putHeader("Content-Type", "application/json").end(json);
          }
        })
        .onFailure(ctx::fail);
  }

  private Future<String> load(long id, String key) {
    return pg.preparedQuery(USER_BY_ID).execute(Tuple.of(id)).compose(rows -> {
      if (rows.size() == 0) {
        return Future.succeededFuture(null);
      }
      String json = toJson(rows.iterator().next()).encode();
      return redis.set(List.of(key, json, "EX", cacheTtl)).map(json);
    });
  }

  private static JsonObject toJson(Row r) {
    return new JsonObject()
        .put("id", Long.toString(r.getLong("id")))
        .put("name", r.getString("name"))
        .put("bio", r.getString("bio"))
        .put("postCount", r.getInteger("post_count"))
        .put("followerCount", r.getInteger("follower_count"))
        .put("followingCount", r.getInteger("following_count"))
        .put("createdAt", r.getOffsetDateTime("created_at").toInstant().toString());
  }

  @Override
  public Future<?> stop() {
    return Future.all(pg.close(), redisClient.close());
  }
}
