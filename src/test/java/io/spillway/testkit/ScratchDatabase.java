package io.spillway.testkit;

import io.vertx.core.Vertx;
import io.vertx.sqlclient.Pool;

import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/** A fresh database on the local PostgreSQL for one test, with a pool on it; closing drops it. */
public final class ScratchDatabase implements AutoCloseable {
  public final String name;
  public final Vertx vertx = Vertx.vertx();
  public final Pool pool;

  /** A database named {@code prefix} and a random suffix. */
  public ScratchDatabase(String prefix) {
    name = prefix + Long.toString(ThreadLocalRandom.current().nextLong() >>> 1, 36);
    LocalPostgres.create(List.of(name));
    pool = LocalPostgres.pool(vertx, name);
  }

  @Override
  public void close() {
    pool.close().await();
    vertx.close().await();
    LocalPostgres.drop(List.of(name));
  }
}
