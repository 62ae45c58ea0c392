package io.spillway.data;

import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/**
 * Applies the versioned SQL files in {@code db/migrations/} to a shard, each once, in order, each in its
 * own transaction, and records each file's SHA-256. A session advisory lock makes it safe when several nodes
 * start at once: the others wait, then find nothing left to do.
 *
 * <p>Before anything is applied, every file already applied is checked against its recorded checksum: a file
 * edited after it ran on a shard would leave that shard with a schema no file describes, so the start stops
 * with a message naming the file. (A change to the schema is a new migration.) Rows recorded before checksums
 * existed get the file's checksum as it is now.
 */
final class Migrations {
  private static final Logger LOG = LoggerFactory.getLogger(Migrations.class);
  private static final long LOCK_KEY = 0x5370696c6c776179L; // "Spillway"
  static final List<String> FILES = List.of("V1__schema.sql", "V2__outbox_notify.sql", "V3__api_keys.sql",
      "V4__account_plans.sql", "V5__dead_letters_and_follow_sync.sql", "V6__feed_and_counter_slots.sql",
      "V7__outbox_without_notify.sql", "V8__shard_map_and_moves.sql", "V9__shard_move_capture.sql",
      "V10__move_counter_slots.sql");

  /** One migration file: its version (from the name), name and SQL. */
  record Migration(int version, String file, String sql) {
    Migration(String file, String sql) {
      this(Migrations.version(file), file, sql);
    }

    /**
     * SHA-256 of the SQL, hex. Line endings are normalised first, so a checkout with CRLF line endings builds
     * the same checksum as one with LF.
     */
    String checksum() {
      try {
        byte[] text = sql.replace("\r\n", "\n").getBytes(StandardCharsets.UTF_8);
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text));
      } catch (NoSuchAlgorithmException e) {
        throw new IllegalStateException(e);
      }
    }
  }

  private static final String ADD_CHECKSUM_COLUMN = """
      DO $$ BEGIN
        IF NOT EXISTS (SELECT 1 FROM information_schema.columns WHERE table_schema = current_schema()
                       AND table_name = 'schema_migrations' AND column_name = 'checksum') THEN
          ALTER TABLE schema_migrations ADD COLUMN checksum text;
        END IF;
      END $$""";

  private Migrations() {}

  /** The migrations this build ships, in order. */
  static List<Migration> shipped() {
    return FILES.stream().map(f -> new Migration(f, read(f))).toList();
  }

  static Future<Integer> apply(Pool pool, String shardName) {
    return apply(pool, shardName, shipped());
  }

  /** Applies what {@code migrations} has that the shard has not; the number applied. */
  static Future<Integer> apply(Pool pool, String shardName, List<Migration> migrations) {
    // A migration may wait for another node's and may rewrite a large table: no statement timeout on this
    // connection (RESET gives it back the pool's before it returns to the pool).
    return pool.getConnection().compose(conn -> conn.query("SET statement_timeout = 0").execute()
        .compose(v -> conn.query("SELECT pg_advisory_lock(" + LOCK_KEY + ")").execute())
        .compose(v -> conn.query("CREATE TABLE IF NOT EXISTS schema_migrations (version integer PRIMARY KEY, "
            + "name text NOT NULL, checksum text, applied_at timestamptz NOT NULL DEFAULT now())").execute())
        // Shards migrated before checksums were recorded have the table without the column. (Not ADD COLUMN IF
        // NOT EXISTS: its notice would be a warning line on every start.)
        .compose(v -> conn.query(ADD_CHECKSUM_COLUMN).execute())
        .compose(v -> conn.query("SELECT version, name, checksum FROM schema_migrations").execute())
        .compose(rows -> {
          Map<Integer, Row> applied = new HashMap<>();
          rows.forEach(r -> applied.put(r.getInteger("version"), r));
          List<Migration> pending = new ArrayList<>();
          List<Migration> unrecorded = new ArrayList<>();
          for (Migration m : migrations) {
            Row row = applied.get(m.version());
            if (row == null) {
              pending.add(m);
            } else if (row.getString("checksum") == null) {
              unrecorded.add(m);
            } else if (!row.getString("checksum").equals(m.checksum())) {
              return Future.failedFuture(new IllegalStateException("migration db/migrations/" + m.file()
                  + " was changed after it was applied to " + shardName + " (recorded SHA-256 "
                  + row.getString("checksum") + ", the file's is now " + m.checksum() + "): restore the file as it "
                  + "was, and put the change in a new migration"));
            }
          }
          Future<Integer> chain = Future.succeededFuture(0);
          for (Migration m : unrecorded) {
            chain = chain.compose(n -> conn.preparedQuery(
                    "UPDATE schema_migrations SET checksum = $2 WHERE version = $1 AND checksum IS NULL")
                .execute(Tuple.of(m.version(), m.checksum())).map(n));
          }
          if (!unrecorded.isEmpty()) {
            chain = chain.onSuccess(n -> LOG.info("recorded the checksums of {} migration(s) applied to {} before "
                + "checksums were kept", unrecorded.size(), shardName));
          }
          for (Migration m : pending) {
            chain = chain.compose(n -> applyOne(conn, m).map(n + 1));
          }
          return chain;
        })
        .onSuccess(n -> {
          if (n > 0) {
            LOG.info("applied {} migration(s) to {}", n, shardName);
          }
        })
        .eventually(() -> conn.query("SELECT pg_advisory_unlock(" + LOCK_KEY + ")").execute()
            .eventually(() -> conn.query("RESET statement_timeout").execute())
            .eventually(conn::close)));
  }

  private static Future<Void> applyOne(SqlConnection conn, Migration m) {
    return conn.begin().compose(tx -> conn.query(m.sql()).execute()
        .compose(v -> conn.preparedQuery("INSERT INTO schema_migrations (version, name, checksum) VALUES ($1, $2, $3)")
            .execute(Tuple.of(m.version(), m.file(), m.checksum())))
        .compose(v -> tx.commit())
        .recover(err -> tx.rollback().transform(ar -> Future.<Void>failedFuture(
            new IllegalStateException("migration " + m.file() + " failed: " + err.getMessage(), err)))));
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
