package io.spillway.testkit;

import io.vertx.core.Vertx;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Direct SQL on one shard database, to check where rows landed (bypassing the server). */
public final class ShardDb implements AutoCloseable {
  private final Vertx vertx = Vertx.vertx();
  private final Pool pool;

  public ShardDb(String database) {
    pool = LocalPostgres.pool(vertx, database);
  }

  public List<Row> query(String sql, Object... args) {
    try {
      List<Row> out = new ArrayList<>();
      pool.preparedQuery(sql).execute(Tuple.from(args)).await(30, TimeUnit.SECONDS).forEach(out::add);
      return out;
    } catch (Exception e) {
      throw new AssertionError("query failed: " + sql + ": " + e, e);
    }
  }

  public long count(String sql, Object... args) {
    return query(sql, args).get(0).getLong(0);
  }

  @Override
  public void close() {
    pool.close().await();
    vertx.close().await();
  }
}
