package bench.baseline;

import io.vertx.core.DeploymentOptions;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.json.JsonObject;

/**
 * The baseline server: one {@link ApiVerticle} per core on one port, native transport. Settings come from
 * environment variables (see {@link #settings()}), so the bench scripts can point it at their databases.
 */
public final class Main {
  private Main() {}

  public static void main(String[] args) {
    int cores = Runtime.getRuntime().availableProcessors();
    Vertx vertx = Vertx.vertx(new VertxOptions().setPreferNativeTransport(true));
    JsonObject settings = settings();
    vertx.deployVerticle(ApiVerticle::new, new DeploymentOptions().setInstances(cores).setConfig(settings))
        .onSuccess(id -> System.out.printf("baseline listening on :%d x%d, native transport %s%n",
            settings.getInteger("port"), cores, vertx.isNativeTransportEnabled()))
        .onFailure(err -> {
          System.err.println("baseline failed to start: " + err);
          err.printStackTrace();
          System.exit(1);
        });
  }

  static JsonObject settings() {
    return new JsonObject()
        .put("port", intEnv("BASELINE_PORT", 8090))
        .put("pgHost", env("BASELINE_PG_HOST", "127.0.0.1"))
        .put("pgPort", intEnv("BASELINE_PG_PORT", 5432))
        .put("pgDatabase", env("BASELINE_PG_DATABASE", "spillway_bench_base"))
        .put("pgUser", env("BASELINE_PG_USER", "postgres"))
        .put("pgPassword", env("BASELINE_PG_PASSWORD", ""))
        .put("pgPoolSize", intEnv("BASELINE_PG_POOL_SIZE", 8))
        .put("redisUri", env("BASELINE_REDIS_URI", "redis://127.0.0.1:6379/15"))
        .put("redisPoolSize", intEnv("BASELINE_REDIS_POOL_SIZE", 32))
        .put("jwtSecret", env("BASELINE_JWT_SECRET", "dev-only-sample-secret-do-not-use-in-production"))
        .put("jwtIssuer", env("BASELINE_JWT_ISSUER", "spillway"))
        .put("jwtAudience", env("BASELINE_JWT_AUDIENCE", "spillway-api"))
        .put("limitPerWindow", intEnv("BASELINE_LIMIT_PER_WINDOW", 1_000_000))
        .put("windowSeconds", intEnv("BASELINE_WINDOW_SECONDS", 60))
        .put("cacheTtlSeconds", intEnv("BASELINE_CACHE_TTL_SECONDS", 300));
  }

  private static String env(String name, String fallback) {
    String v = System.getenv(name);
    return v == null || v.isBlank() ? fallback : v;
  }

  private static int intEnv(String name, int fallback) {
    return Integer.parseInt(env(name, Integer.toString(fallback)));
  }
}
