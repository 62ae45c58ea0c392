package io.spillway.data;

import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.SqlConnection;

import java.util.function.Function;

/**
 * A write as its store plans it: the shard pool it runs on, its statements inside a transaction the caller
 * opens, and what to note once it committed. Lets other rows join the write's transaction (the
 * Idempotency-Key record).
 */
record ShardWrite<R>(Pool pool, Function<SqlConnection, Future<R>> body, Runnable committed) {
  /** On its own: one transaction. */
  Future<R> run() {
    return pool.withTransaction(body).onSuccess(r -> committed.run());
  }
}
