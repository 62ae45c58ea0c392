package io.spillway.data;

import io.vertx.sqlclient.Tuple;

/**
 * A query of rows by a list of ids whose statement PostgreSQL can plan once: {@code id IN ($1, ..., $n)} for n a
 * power of two up to {@value #MAX_PADDED}, the list padded with its last id. {@code id = ANY($1)} with an array
 * parameter looks different to the planner with every length, so PostgreSQL re-plans it on each execution (a
 * custom plan costs more CPU than running the query); a fixed number of parameters gets one generic plan per
 * prepared statement, reused. Longer lists use {@code = ANY($1)}.
 */
final class IdListQuery {
  static final int MAX_PADDED = 128;

  private final String[] padded = new String[Integer.numberOfTrailingZeros(MAX_PADDED) + 1];
  private final String anyOf;

  /** {@code head}: the query up to the id column's test, e.g. {@code SELECT ... FROM users WHERE id}. */
  IdListQuery(String head) {
    for (int i = 0; i < padded.length; i++) {
      StringBuilder sql = new StringBuilder(head).append(" IN (");
      for (int p = 1; p <= 1 << i; p++) {
        sql.append(p == 1 ? "$" : ", $").append(p);
      }
      padded[i] = sql.append(')').toString();
    }
    this.anyOf = head + " = ANY($1)";
  }

  String sql(int count) {
    return count > MAX_PADDED ? anyOf : padded[bucket(count)];
  }

  Tuple args(Long[] ids) {
    if (ids.length > MAX_PADDED) {
      return Tuple.of(ids);
    }
    int size = 1 << bucket(ids.length);
    Tuple args = Tuple.tuple();
    for (int i = 0; i < size; i++) {
      args.addLong(ids[Math.min(i, ids.length - 1)]);
    }
    return args;
  }

  /** log2 of the smallest power of two at least {@code count} (count >= 1). */
  private static int bucket(int count) {
    return 32 - Integer.numberOfLeadingZeros(Math.max(1, count) - 1);
  }
}
