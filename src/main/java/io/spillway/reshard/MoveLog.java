package io.spillway.reshard;

import io.spillway.data.LiveShardMap;
import io.vertx.core.Future;
import io.vertx.pgclient.PgException;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.Tuple;

import java.util.ArrayList;
import java.util.List;

/**
 * The moves and the shard map as the first shard keeps them ({@code shard_moves}, {@code shard_map}). Every
 * change of a move's phase is a row update here, so whichever node leads next resumes where it stood; the
 * map flips in one transaction with the move's end.
 */
final class MoveLog {
  private static final String ACTIVE = "('prepare', 'copy', 'catch-up', 'cut-over')";
  private static final String STOPPABLE = "('prepare', 'copy', 'catch-up')";
  private static final int RECENT = 20;

  private final Pool first;

  MoveLog(Pool first) {
    this.first = first;
  }

  /** The map's version and placement, as stored. */
  record StoredMap(long version, int[] physical) {}

  Future<StoredMap> map() {
    return first.query("SELECT version, physical FROM shard_map WHERE id = 1").execute().map(rows -> {
      Row r = rows.iterator().next();
      Integer[] p = r.getArrayOfIntegers("physical");
      int[] physical = new int[p.length];
      for (int i = 0; i < p.length; i++) {
        physical[i] = p[i];
      }
      return new StoredMap(r.getLong("version"), physical);
    });
  }

  /**
   * Records a new move of {@code logical} to {@code target}, from where the map has it now. Under the map
   * row's lock, so it cannot cross a cut-over; the partial unique index refuses a second active move.
   */
  Future<Move> start(int logical, int target) {
    return first.withTransaction(tx -> tx
        .preparedQuery("SELECT physical[$1::int + 1] FROM shard_map WHERE id = 1 FOR UPDATE")
        .execute(Tuple.of(logical))
        .compose(rows -> {
          int at = rows.iterator().next().getInteger(0);
          if (at == target) {
            return Future.failedFuture(new MoveRefused(409, "logical shard " + logical + " is already on database "
                + target));
          }
          return tx.preparedQuery("INSERT INTO shard_moves (logical, source, target, phase) VALUES ($1, $2, $3, "
                  + "'prepare') RETURNING " + Move.COLUMNS)
              .execute(Tuple.of(logical, at, target));
        })
        .map(rows -> Move.of(rows.iterator().next())))
        .recover(err -> Future.failedFuture(err instanceof PgException pg && "23505".equals(pg.getSqlState())
            ? new MoveRefused(409, "a move of logical shard " + logical + " is already in progress") : err));
  }

  Future<List<Move>> active() {
    return first.query("SELECT " + Move.COLUMNS + " FROM shard_moves WHERE phase IN " + ACTIVE + " ORDER BY id")
        .execute().map(MoveLog::moves);
  }

  /** The moves in progress and the last few that ended, newest first. */
  Future<List<Move>> recent() {
    return first.query("(SELECT " + Move.COLUMNS + " FROM shard_moves WHERE phase IN " + ACTIVE + ") UNION "
            + "(SELECT " + Move.COLUMNS + " FROM shard_moves ORDER BY id DESC LIMIT " + RECENT + ") ORDER BY id DESC")
        .execute().map(MoveLog::moves);
  }

  Future<Move> get(long id) {
    return first.preparedQuery("SELECT " + Move.COLUMNS + " FROM shard_moves WHERE id = $1").execute(Tuple.of(id))
        .map(rows -> Move.of(rows.iterator().next()));
  }

  Future<Void> phase(long id, Move.Phase phase) {
    return update("phase = $2", Tuple.of(id, phase.sql()));
  }

  Future<Void> copied(long id, int table, String key, long rows) {
    return update("copy_table = $2, copy_key = $3::text::jsonb, rows_copied = rows_copied + $4, error = NULL",
        Tuple.of(id, table, key, rows));
  }

  Future<Void> replayed(long id, long changes) {
    return update("rows_replayed = rows_replayed + $2, error = NULL", Tuple.of(id, changes));
  }

  Future<Void> failed(long id, String error) {
    return update("error = $2", Tuple.of(id, error.length() > 500 ? error.substring(0, 500) : error));
  }

  /** Enters the cut-over unless a cancel came first; false when it did. */
  Future<Boolean> enterCutOver(long id) {
    return first.preparedQuery("UPDATE shard_moves SET phase = 'cut-over', updated_at = now() "
            + "WHERE id = $1 AND NOT cancel_requested RETURNING 1")
        .execute(Tuple.of(id)).map(rows -> rows.size() > 0);
  }

  /** Asks the leader to cancel the move of {@code logical}; refused once its cut-over has begun. */
  Future<Move> requestCancel(int logical) {
    return first.preparedQuery("UPDATE shard_moves SET cancel_requested = true, updated_at = now() "
            + "WHERE logical = $1 AND phase IN " + STOPPABLE + " RETURNING " + Move.COLUMNS)
        .execute(Tuple.of(logical))
        .compose(rows -> rows.size() > 0 ? Future.succeededFuture(Move.of(rows.iterator().next()))
            : first.preparedQuery("SELECT 1 FROM shard_moves WHERE logical = $1 AND phase = 'cut-over'")
                .execute(Tuple.of(logical))
                .compose(cutting -> Future.<Move>failedFuture(cutting.size() > 0
                    ? new MoveRefused(409, "the move of logical shard " + logical + " is cutting over; it can no "
                        + "longer be cancelled (move it back instead)")
                    : new MoveRefused(404, "no move of logical shard " + logical + " is in progress"))));
  }

  Future<Void> cancelled(long id) {
    return update("phase = 'cancelled', finished_at = now()", Tuple.of(id));
  }

  /**
   * The cut-over's commit point: the map places {@code m.logical()} on the target under a new version, the
   * move is done with its fence time, and every node is told (NOTIFY is sent at commit). One transaction.
   */
  Future<Long> flip(Move m, long fenceMs) {
    return first.withTransaction(tx -> tx
        .preparedQuery("UPDATE shard_map SET version = version + 1, physical[$1::int + 1] = $3, updated_at = now() "
            + "WHERE id = 1 AND physical[$1::int + 1] = $2 RETURNING version")
        .execute(Tuple.of(m.logical(), m.source(), m.target()))
        .compose(rows -> {
          if (rows.size() == 0) {
            return Future.failedFuture(new IllegalStateException("the shard map no longer places logical shard "
                + m.logical() + " on database " + m.source()));
          }
          long version = rows.iterator().next().getLong(0);
          return tx.preparedQuery("UPDATE shard_moves SET phase = 'done', fence_ms = $2, finished_at = now(), "
                  + "updated_at = now(), error = NULL WHERE id = $1")
              .execute(Tuple.of(m.id(), (int) Math.min(Integer.MAX_VALUE, fenceMs)))
              .compose(v -> tx.preparedQuery("SELECT pg_notify('" + LiveShardMap.CHANNEL + "', $1)")
                  .execute(Tuple.of(Long.toString(version))))
              .map(version);
        }));
  }

  /**
   * The finished move whose source still holds logical shard {@code logical}'s rows: the latest move of it,
   * when that one is done, not yet cleaned up, and the map still has the shard where it moved.
   */
  Future<Move> cleanable(int logical) {
    return first.preparedQuery("SELECT " + Move.COLUMNS + " FROM shard_moves WHERE logical = $1 ORDER BY id DESC LIMIT 1")
        .execute(Tuple.of(logical))
        .compose(rows -> {
          if (rows.size() == 0) {
            return Future.failedFuture(new MoveRefused(404, "logical shard " + logical + " was never moved"));
          }
          Move m = Move.of(rows.iterator().next());
          if (m.phase() != Move.Phase.DONE) {
            return Future.failedFuture(new MoveRefused(409, "the last move of logical shard " + logical + " is "
                + m.phase().sql() + ", not done: only a finished move's source is cleaned up"));
          }
          if (m.cleanedRows() != null) {
            return Future.failedFuture(new MoveRefused(409, "database " + m.source() + " was already cleaned of "
                + "logical shard " + logical));
          }
          return Future.succeededFuture(m);
        });
  }

  Future<Void> cleaned(long id, long rows) {
    return update("cleaned_rows = $2", Tuple.of(id, rows));
  }

  private Future<Void> update(String set, Tuple args) {
    return first.preparedQuery("UPDATE shard_moves SET " + set + ", updated_at = now() WHERE id = $1")
        .execute(args).mapEmpty();
  }

  private static List<Move> moves(RowSet<Row> rows) {
    List<Move> out = new ArrayList<>();
    rows.forEach(r -> out.add(Move.of(r)));
    return out;
  }
}
