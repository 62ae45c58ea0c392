package io.spillway.reshard;

import io.vertx.core.json.JsonObject;

import java.util.List;
import java.util.stream.Collectors;

/**
 * A table whose rows move with their logical shard: how a row names its logical shard (an id column, whose
 * bits 10..22 are the logical shard, or a column holding it) and its primary key. The statements move whole
 * rows as JSON ({@code to_jsonb} at the source, {@code jsonb_populate_recordset} at the target), so a column
 * added to a table moves without a change here. The outbox is not among them: its rows are relayed from the
 * source before the cut-over (see {@link ShardMover}).
 */
record MovedTable(String name, String placement, List<Key> key) {
  /** A primary-key column and its SQL type. */
  record Key(String column, String type) {}

  /** Every table a logical shard has rows in; the same list V9 and V10 put capture triggers on. */
  static final List<MovedTable> ALL = List.of(
      byId("users", "id", key("id", "bigint")),
      byId("email_directory", "user_id", key("email", "text")),
      byId("posts", "id", key("id", "bigint")),
      byId("comments", "post_id", key("id", "bigint")),
      byId("likes", "post_id", key("post_id", "bigint"), key("user_id", "bigint")),
      byId("following", "follower_id", key("follower_id", "bigint"), key("followee_id", "bigint")),
      byId("followers", "followee_id", key("followee_id", "bigint"), key("follower_id", "bigint")),
      byId("follow_sync", "follower_id", key("follower_id", "bigint"), key("followee_id", "bigint")),
      byId("api_keys", "id", key("id", "bigint")),
      byId("user_counter_slots", "user_id", key("user_id", "bigint"), key("slot", "integer")),
      byId("post_counter_slots", "post_id", key("post_id", "bigint"), key("slot", "integer")),
      new MovedTable("idempotency_keys", "logical_shard", List.of(key("scope", "text"), key("key", "text"))));

  /** Where the source's unrelayed events of logical shard $1 are: a channel's id names its logical shard. */
  static final String OUTBOX_OF_SHARD =
      "SELECT count(*) FROM outbox WHERE ((split_part(channel, ':', 2)::bigint >> 10) & 8191) = $1";

  private static MovedTable byId(String name, String idColumn, Key... key) {
    return new MovedTable(name, "((" + idColumn + " >> 10) & 8191)", List.of(key));
  }

  private static Key key(String column, String type) {
    return new Key(column, type);
  }

  private String keyList() {
    return key.stream().map(Key::column).collect(Collectors.joining(", "));
  }

  /** The columns of the key as a record type for {@code jsonb_to_recordset}. */
  private String keyRecord() {
    return key.stream().map(k -> k.column() + " " + k.type()).collect(Collectors.joining(", "));
  }

  /**
   * A batch of the shard's rows in key order: $1 the logical shard, $2 the batch size, then (when {@code after})
   * the last key copied, one text parameter per key column. Answers the row as JSON text and its key.
   */
  String copyBatch(boolean after) {
    StringBuilder sql = new StringBuilder("SELECT to_jsonb(t)::text AS row, jsonb_build_object(")
        .append(key.stream().map(k -> "'" + k.column() + "', t." + k.column()).collect(Collectors.joining(", ")))
        .append(")::text AS key FROM ").append(name).append(" t WHERE ").append(placement).append(" = $1");
    if (after) {
      sql.append(" AND (").append(keyList()).append(") > (");
      for (int i = 0; i < key.size(); i++) {
        sql.append(i == 0 ? "" : ", ").append("$").append(i + 3).append("::text::").append(key.get(i).type());
      }
      sql.append(")");
    }
    return sql.append(" ORDER BY ").append(keyList()).append(" LIMIT $2").toString();
  }

  /** The key values of {@code key} (a JSON object of key columns) as text parameters for {@link #copyBatch}. */
  List<Object> keyParams(JsonObject keyValues) {
    return key.stream().map(k -> (Object) String.valueOf(keyValues.getValue(k.column()))).toList();
  }

  /** Removes the rows whose keys are in $1 (JSON array text of key objects). */
  String deleteKeys() {
    return "DELETE FROM " + name + " t USING jsonb_to_recordset($1::text::jsonb) AS x(" + keyRecord() + ") WHERE "
        + key.stream().map(k -> "t." + k.column() + " = x." + k.column()).collect(Collectors.joining(" AND "));
  }

  /** Inserts the rows in $1 (JSON array text of rows as {@code to_jsonb} made them). */
  String insertRows() {
    return "INSERT INTO " + name + " SELECT * FROM jsonb_populate_recordset(NULL::" + name + ", $1::text::jsonb)";
  }

  /** The rows, as JSON text, whose keys are in $1 (JSON array text of key objects): what a replay re-reads. */
  String readKeys() {
    return "SELECT to_jsonb(t)::text FROM " + name + " t JOIN jsonb_to_recordset($1::text::jsonb) AS x(" + keyRecord()
        + ") ON " + key.stream().map(k -> "t." + k.column() + " = x." + k.column()).collect(Collectors.joining(" AND "));
  }

  /** Removes up to $2 rows of logical shard $1. */
  String deleteBatch() {
    return "DELETE FROM " + name + " WHERE ctid = ANY(ARRAY(SELECT ctid FROM " + name + " WHERE " + placement
        + " = $1 LIMIT $2))";
  }

  static MovedTable named(String name) {
    for (MovedTable t : ALL) {
      if (t.name().equals(name)) {
        return t;
      }
    }
    throw new IllegalArgumentException("no moved table " + name);
  }

  /** JSON texts (rows or keys, as PostgreSQL wrote them) as one JSON array text, unparsed. */
  static String array(List<String> json) {
    return "[" + String.join(",", json) + "]";
  }
}
