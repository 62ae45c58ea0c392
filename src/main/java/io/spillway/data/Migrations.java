package io.spillway.data;

import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Applies the versioned SQL files in {@code db/migrations/} to a shard, each once, in order, each in its
 * own transaction. A session advisory lock makes it safe when several nodes start at once: the others wait,
 * then find nothing left to do.
 */
final class Migrations {
  private static final Logger LOG = LoggerFactory.getLogger(Migrations.class);
  private static final long LOCK_KEY = 0x5370696c6c776179L; // "Spillway"
  static final List<String> FILES = List.of("V1__schema.sql", "V2__outbox_notify.sql", "V3__api_keys.sql");

  private Migrations() {}

  static Future<Integer> apply(Pool pool, String shardName) {
    return pool.getConnection().compose(conn -> conn.query("SELECT pg_advisory_lock(" + LOCK_KEY + ")").execute()
        .compose(v -> conn.query("CREATE TABLE IF NOT EXISTS schema_migrations ("
            + "version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())").execute())
        .compose(v -> conn.query("SELECT version FROM schema_migrations").execute())
        .compose(rows -> {
          List<Integer> applied = new ArrayList<>();
          rows.forEach(r -> applied.add(r.getInteger(0)));
          Future<Integer> chain = Future.succeededFuture(0);
          for (String file : FILES) {
            int version = version(file);
            if (!applied.contains(version)) {
              chain = chain.compose(n -> applyOne(conn, file, version).map(n + 1));
            }
          }
          return chain;
        })
        .onSuccess(n -> {
          if (n > 0) {
            LOG.info("applied {} migration(s) to {}", n, shardName);
          }
        })
        .eventually(() -> conn.query("SELECT pg_advisory_unlock(" + LOCK_KEY + ")").execute()
            .eventually(conn::close)));
  }

  private static Future<Void> applyOne(SqlConnection conn, String file, int version) {
    String sql = read(file);
    return conn.begin().compose(tx -> conn.query(sql).execute()
        .compose(v -> conn.preparedQuery("INSERT INTO schema_migrations (version, name) VALUES ($1, $2)")
            .execute(Tuple.of(version, file)))
        .compose(v -> tx.commit())
        .recover(err -> tx.rollback().transform(ar -> Future.<Void>failedFuture(
            new IllegalStateException("migration " + file + " failed: " + err.getMessage(), err)))));
  }

  static int version(String file) {
    return Integer.parseInt(file.substring(1, file.indexOf("__")));
  }

  private static String read(String file) {
    try (InputStream in = Migrations.class.getResourceAsStream("/db/migrations/" + file)) {
      if (in == null) {
        throw new IllegalStateException("missing migration " + file);
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
