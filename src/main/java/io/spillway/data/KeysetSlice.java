package io.spillway.data;

import io.vertx.sqlclient.Row;

import java.util.ArrayList;
import java.util.List;

/**
 * Keyset pages are read with {@code LIMIT limit + 1}: the extra row only says that there is a next page.
 * This is the page's rows and that answer.
 */
record KeysetSlice(List<Row> rows, boolean more) {
  static KeysetSlice of(Iterable<Row> fetched, int limit) {
    List<Row> all = new ArrayList<>();
    fetched.forEach(all::add);
    boolean more = all.size() > limit;
    return new KeysetSlice(more ? all.subList(0, limit) : all, more);
  }

  /** The cursor for the next page: the last row's {@code column}, or null at the end. */
  Long next(String column) {
    return more ? rows.get(rows.size() - 1).getLong(column) : null;
  }

  List<Long> longs(String column) {
    return rows.stream().map(r -> r.getLong(column)).toList();
  }
}
