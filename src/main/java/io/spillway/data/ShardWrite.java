package io.spillway.data;

import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.SqlConnection;

import java.util.function.Function;

/**
 * A write as its store plans it: the logical shard it writes to and that shard's pool, its statements inside
 * a transaction the caller opens, and what to note once it committed. Lets other rows join the write's
 * transaction (the Idempotency-Key record, which is placed with the write).
 */
record ShardWrite<R>(int logical, Pool pool, Function<SqlConnection, Future<R>> body, Runnable committed) {
  /** On its own: one transaction. */
  Future<R> run() {
    return pool.withTransaction(body).onSuccess(r -> committed.run());
  }
}
