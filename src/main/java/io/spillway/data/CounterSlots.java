package io.spillway.data;

import io.vertx.core.Future;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;

import java.util.concurrent.ThreadLocalRandom;

/**
 * Counters without a hot row (migration V6): a write adds its +1 or -1 to one of {@link #SLOTS} rows of the
 * user or post, picked at random, so one author's posts or one post's likes do not all queue on a single row
 * lock; a read sums the slots with the base column ({@code counted_users}, {@code counted_posts}), which
 * keeps the count exact.
 */
final class CounterSlots {
  static final int SLOTS = 16;

  /** The counts a write can change, and the slot table and column each one lives in. */
  enum Count {
    POSTS("user_counter_slots", "user_id", "posts"),
    FOLLOWERS("user_counter_slots", "user_id", "followers"),
    FOLLOWING("user_counter_slots", "user_id", "following"),
    LIKES("post_counter_slots", "post_id", "likes"),
    COMMENTS("post_counter_slots", "post_id", "comments");

    final String sql;

    Count(String table, String owner, String column) {
      this.sql = "INSERT INTO " + table + " (" + owner + ", slot, " + column + ") VALUES ($1, $2, $3) "
          + "ON CONFLICT (" + owner + ", slot) DO UPDATE SET " + column + " = " + table + "." + column
          + " + EXCLUDED." + column;
    }
  }

  private CounterSlots() {}

  /** A slot for one write. */
  static int slot() {
    return ThreadLocalRandom.current().nextInt(SLOTS);
  }

  /** Adds {@code delta} to {@code owner}'s count, in the caller's transaction. */
  static Future<Void> add(SqlClient tx, Count count, long owner, int delta) {
    return tx.preparedQuery(count.sql).execute(Tuple.of(owner, slot(), delta)).mapEmpty();
  }
}
