package io.spillway.data;

import io.vertx.core.Future;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;
import java.util.function.Supplier;

/**
 * How every list in the data layer is paged: newest first by a time-ordered id, {@code WHERE id < $cursor
 * ORDER BY id DESC LIMIT n + 1}. The extra row only says that there is a next page (its cursor is the last
 * row shown); the users named by the page's rows are looked up in one batch ({@link UserStore#refs}), never
 * one query per row.
 *
 * <p>One instance per kind of list. Its query takes {@code $1} the list's owner (a user, a post, or an array
 * of authors), {@code $2} the cursor and {@code $3} the number of rows to read, and orders by the cursor
 * column descending.
 *
 * @param <T> the item the API shows
 */
final class KeysetPage<T> {
  private final UserStore users;
  private final String sql;
  private final String cursorColumn;
  private final String userColumn;
  private final BiFunction<Row, Model.UserRef, T> item;
  private final Comparator<Row> newestFirst;

  /**
   * @param cursorColumn the (bigint) column the list is ordered and continued by
   * @param userColumn   the (bigint) column naming the user shown with each item
   * @param item         the item of a row, given the row's user (a ref without a name if the user is gone)
   */
  KeysetPage(UserStore users, String sql, String cursorColumn, String userColumn,
             BiFunction<Row, Model.UserRef, T> item) {
    this.users = users;
    this.sql = sql;
    this.cursorColumn = cursorColumn;
    this.userColumn = userColumn;
    this.item = item;
    this.newestFirst = Comparator.comparingLong((Row r) -> r.getLong(cursorColumn)).reversed();
  }

  /**
   * One page of {@code owner}'s list from one shard. An empty page asks {@code whenEmpty} first, so that the
   * list of an owner that does not exist fails (a 404) rather than reading as empty.
   */
  Future<Model.Page<T>> read(SqlClient db, Object owner, long before, int limit, Long viewer,
                             Supplier<Future<?>> whenEmpty) {
    return fetch(db, owner, before, limit).compose(rows -> rows.isEmpty()
        ? whenEmpty.get().map(v -> new Model.Page<T>(List.of(), null))
        : page(rows, limit, viewer));
  }

  /**
   * One page of a list spread over several shards: each shard reads its own page of its owner (in parallel)
   * and the pages are merged by the cursor column, which orders across shards because ids are time-ordered.
   */
  Future<Model.Page<T>> readMerged(Map<SqlClient, Object> ownerByShard, long before, int limit, Long viewer) {
    List<Future<List<Row>>> perShard = new ArrayList<>(ownerByShard.size());
    ownerByShard.forEach((db, owner) -> perShard.add(fetch(db, owner, before, limit)));
    return Future.all(perShard).compose(v -> {
      List<Row> merged = new ArrayList<>();
      perShard.forEach(f -> merged.addAll(f.result()));
      merged.sort(newestFirst);
      return page(merged, limit, viewer);
    });
  }

  private Future<List<Row>> fetch(SqlClient db, Object owner, long before, int limit) {
    return db.preparedQuery(sql).execute(Tuple.of(owner, before, limit + 1)).map(KeysetPage::list);
  }

  /** Cuts the rows read (newest first, up to {@code limit + 1}) to a page and attaches the users. */
  private Future<Model.Page<T>> page(List<Row> rows, int limit, Long viewer) {
    boolean more = rows.size() > limit;
    List<Row> shown = more ? rows.subList(0, limit) : rows;
    Long next = more ? shown.get(shown.size() - 1).getLong(cursorColumn) : null;
    List<Long> ids = new ArrayList<>(shown.size());
    for (Row r : shown) {
      ids.add(r.getLong(userColumn));
    }
    return users.refs(ids, viewer).map(refs -> {
      List<T> items = new ArrayList<>(shown.size());
      for (Row r : shown) {
        items.add(item.apply(r, ref(refs, r.getLong(userColumn))));
      }
      return new Model.Page<>(items, next);
    });
  }

  /** The user's ref, or one without a name when the user is not found. */
  static Model.UserRef ref(Map<Long, Model.UserRef> refs, long id) {
    Model.UserRef ref = refs.get(id);
    return ref != null ? ref : new Model.UserRef(id, null);
  }

  private static List<Row> list(RowSet<Row> rows) {
    List<Row> out = new ArrayList<>(rows.size());
    rows.forEach(out::add);
    return out;
  }
}
