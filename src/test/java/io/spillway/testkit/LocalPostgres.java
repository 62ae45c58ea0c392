package io.spillway.testkit;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import io.vertx.sqlclient.Tuple;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Creates and drops databases on the local PostgreSQL (127.0.0.1:5432, user postgres, trust auth). */
public final class LocalPostgres {
  public static final String HOST = System.getenv().getOrDefault("PGHOST_TEST", "127.0.0.1");
  public static final int PORT = 5432;
  public static final String USER = "postgres";

  private LocalPostgres() {}

  /** Creates each database that does not exist yet. */
  public static void ensure(List<String> databases) {
    withAdmin(pool -> {
      List<Future<?>> all = new ArrayList<>();
      for (String db : databases) {
        all.add(pool.preparedQuery("SELECT 1 FROM pg_database WHERE datname = $1").execute(Tuple.of(db))
            .compose(rows -> rows.size() > 0 ? Future.succeededFuture()
                : pool.query("CREATE DATABASE " + quote(db)).execute()));
      }
      return Future.all(all).mapEmpty();
    });
  }

  public static void create(List<String> databases) {
    withAdmin(pool -> {
      Future<?> chain = Future.succeededFuture();
      for (String db : databases) {
        chain = chain.compose(v -> pool.query("DROP DATABASE IF EXISTS " + quote(db) + " WITH (FORCE)").execute())
            .compose(v -> pool.query("CREATE DATABASE " + quote(db)).execute());
      }
      return chain.mapEmpty();
    });
  }

  public static void drop(List<String> databases) {
    withAdmin(pool -> {
      Future<?> chain = Future.succeededFuture();
      for (String db : databases) {
        chain = chain.compose(v -> pool.query("DROP DATABASE IF EXISTS " + quote(db) + " WITH (FORCE)").execute());
      }
      return chain.mapEmpty();
    });
  }

  /** A copy of {@code source} as it is now (no one may be connected to it). */
  public static void snapshot(String source, String copy) {
    withAdmin(pool -> pool.query("DROP DATABASE IF EXISTS " + quote(copy) + " WITH (FORCE)").execute()
        .compose(v -> pool.query("CREATE DATABASE " + quote(copy) + " TEMPLATE " + quote(source)).execute())
        .mapEmpty());
  }

  /** Makes a database refuse new connections and ends the open ones: a shard that went away. */
  public static void refuseConnections(String db) {
    withAdmin(pool -> pool.query("ALTER DATABASE " + quote(db) + " ALLOW_CONNECTIONS false").execute()
        .compose(v -> pool.preparedQuery("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1")
            .execute(Tuple.of(db)))
        .mapEmpty());
  }

  public static void allowConnections(String db) {
    withAdmin(pool -> pool.query("ALTER DATABASE " + quote(db) + " ALLOW_CONNECTIONS true").execute().mapEmpty());
  }

  private static String quote(String db) {
    if (!db.matches("[a-z0-9_]{1,63}")) {
      throw new IllegalArgumentException("not a safe database name: " + db);
    }
    return "\"" + db + "\"";
  }

  /** A pool on {@code database} of the local PostgreSQL, on {@code vertx}. */
  public static Pool pool(Vertx vertx, String database) {
    return PgBuilder.pool().connectingTo(new PgConnectOptions().setHost(HOST).setPort(PORT).setUser(USER)
        .setDatabase(database)).using(vertx).build();
  }

  private interface AdminWork {
    Future<Void> run(Pool pool);
  }

  private static void withAdmin(AdminWork work) {
    Vertx vertx = Vertx.vertx();
    try {
      Pool pool = PgBuilder.pool()
          .with(new PoolOptions().setMaxSize(1))
          .connectingTo(new PgConnectOptions().setHost(HOST).setPort(PORT).setUser(USER).setDatabase("postgres"))
          .using(vertx)
          .build();
      work.run(pool).eventually(pool::close).await(60, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException("PostgreSQL admin work failed: " + e.getMessage(), e);
    } finally {
      vertx.close().await();
    }
  }
}
