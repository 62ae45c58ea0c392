package io.spillway.reshard;

import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;

import java.time.OffsetDateTime;

/** One row of {@code shard_moves}: a move of logical shard {@code logical} from one database to another. */
record Move(long id, int logical, int source, int target, Phase phase, boolean cancelRequested, int copyTable,
            JsonObject copyKey, long rowsCopied, long rowsReplayed, Integer fenceMs, String error, Long cleanedRows,
            OffsetDateTime createdAt, OffsetDateTime updatedAt, OffsetDateTime finishedAt) {

  /** Where a move stands; the SQL names are the lower-case names with dashes. */
  enum Phase {
    PREPARE, COPY, CATCH_UP, CUT_OVER, DONE, CANCELLED;

    String sql() {
      return name().toLowerCase().replace('_', '-');
    }

    static Phase of(String sql) {
      return valueOf(sql.toUpperCase().replace('-', '_'));
    }

    boolean active() {
      return this != DONE && this != CANCELLED;
    }
  }

  static final String COLUMNS = "id, logical, source, target, phase, cancel_requested, copy_table, copy_key::text, "
      + "rows_copied, rows_replayed, fence_ms, error, cleaned_rows, created_at, updated_at, finished_at";

  static Move of(Row r) {
    String key = r.getString("copy_key");
    return new Move(r.getLong("id"), r.getInteger("logical"), r.getInteger("source"), r.getInteger("target"),
        Phase.of(r.getString("phase")), r.getBoolean("cancel_requested"), r.getInteger("copy_table"),
        key == null ? null : new JsonObject(key), r.getLong("rows_copied"), r.getLong("rows_replayed"),
        r.getInteger("fence_ms"), r.getString("error"), r.getLong("cleaned_rows"),
        r.getOffsetDateTime("created_at"), r.getOffsetDateTime("updated_at"), r.getOffsetDateTime("finished_at"));
  }

  JsonObject toJson() {
    JsonObject out = new JsonObject().put("id", id).put("logical", logical).put("from", source).put("to", target)
        .put("phase", phase.sql()).put("cancelRequested", cancelRequested).put("rowsCopied", rowsCopied)
        .put("changesReplayed", rowsReplayed).put("createdAt", String.valueOf(createdAt))
        .put("updatedAt", String.valueOf(updatedAt));
    if (phase == Phase.COPY) {
      out.put("copying", MovedTable.ALL.get(Math.min(copyTable, MovedTable.ALL.size() - 1)).name());
    }
    if (fenceMs != null) {
      out.put("fenceMs", fenceMs);
    }
    if (error != null) {
      out.put("lastError", error);
    }
    if (finishedAt != null) {
      out.put("finishedAt", String.valueOf(finishedAt));
    }
    if (cleanedRows != null) {
      out.put("cleanedRows", cleanedRows);
    }
    return out;
  }
}
