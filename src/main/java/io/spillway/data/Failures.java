package io.spillway.data;

import io.vertx.core.VertxException;
import io.vertx.pgclient.PgException;

import java.io.IOException;
import java.util.concurrent.TimeoutException;

/**
 * What a data-layer failure means for the caller. A database that cannot be reached (refused or lost
 * connections, a full pool, a server shutting down or refusing connections) is <em>unreachable</em>: it
 * trips the pool's breaker and the caller gets 503. A query the server cancelled (statement timeout) or
 * rolled back for a conflict (serialization failure, deadlock) is <em>retryable</em>: 503 too, but the
 * database is there. Anything else is a bug or a constraint the code did not expect: 500.
 */
final class Failures {
  private Failures() {}

  /** The database cannot be reached or is refusing work: count it against the pool's breaker. */
  static boolean unreachable(Throwable err) {
    if (err instanceof DataException) {
      return false;
    }
    if (err instanceof PgException pg) {
      String state = pg.getSqlState();
      return state != null && (state.startsWith("08") // connection exception
          || state.startsWith("53")                     // insufficient resources (too many connections, disk full)
          || state.startsWith("57P")                    // admin shutdown, crash shutdown, cannot connect now
          || state.startsWith("28")                     // authentication failed: nothing on this pool will work
          || state.equals("55000")                      // database is not accepting connections
          || state.equals("25006"));                    // read-only transaction: a demoted primary
    }
    return err instanceof VertxException || err instanceof IOException || err instanceof TimeoutException;
  }

  /** SQLSTATE of a write refused by a shard move's fence (db/migrations/V9__shard_move_capture.sql). */
  static final String FENCED = "SW001";

  /** A write to a logical shard that is being cut over to another database, or has been. */
  static boolean fenced(Throwable err) {
    return err instanceof PgException pg && FENCED.equals(pg.getSqlState());
  }

  /** Worth a retry by the client: 503 with Retry-After rather than 500. */
  static boolean retryable(Throwable err) {
    if (unreachable(err)) {
      return true;
    }
    if (err instanceof PgException pg && pg.getSqlState() != null) {
      String state = pg.getSqlState();
      return state.equals("57014")   // query_canceled: statement_timeout
          || state.equals("40001")   // serialization_failure
          || state.equals("40P01")   // deadlock_detected
          || state.equals("25P03");  // idle_in_transaction_session_timeout
    }
    return false;
  }
}
