package io.spillway.data;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.spillway.redis.CircuitBreaker;
import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PrepareOptions;
import io.vertx.sqlclient.PreparedQuery;
import io.vertx.sqlclient.Query;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.SqlResult;
import io.vertx.sqlclient.Tuple;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.function.Function;
import java.util.stream.Collector;

/**
 * A shard pool behind a breaker. While the database is reachable every call goes straight through. After
 * {@code failureThreshold} consecutive connection failures the breaker opens: for {@code openMs} calls fail
 * at once with a 503 {@link DataException} and cost no connection attempt, then one call probes the database
 * and its outcome closes or reopens the breaker. Query errors (a constraint, a bad statement) say nothing
 * about reachability and do not count.
 *
 * <p>A replica's pool has its primary as {@code fallback}: a read the replica cannot serve (breaker open, or
 * the database unreachable) runs on the primary instead, so one dead replica does not fail its shard's reads.
 * Transactions and connections are never moved: they may write.
 */
final class GuardedPool implements Pool {
  private static final Logger LOG = LoggerFactory.getLogger(GuardedPool.class);

  private final String name;
  private final Pool pool;
  private final Pool fallback;
  private final CircuitBreaker breaker;
  private final Counter fastFailures;
  private final Counter fallbacks;

  GuardedPool(String name, Pool pool, Pool fallback, CircuitBreaker breaker, MeterRegistry registry) {
    this.name = name;
    this.pool = pool;
    this.fallback = fallback;
    this.breaker = breaker;
    if (registry != null) {
      Gauge.builder("spillway_data_pool_available", breaker, b -> b.open() ? 0 : 1)
          .description("1 while the pool's breaker is closed, 0 while it fails requests at once")
          .tag("pool", name).register(registry);
      fastFailures = Counter.builder("spillway_data_pool_fast_failures")
          .description("Requests failed at once because the pool's breaker was open")
          .tag("pool", name).register(registry);
      fallbacks = Counter.builder("spillway_data_replica_fallbacks")
          .description("Reads a replica could not serve that ran on the primary")
          .tag("pool", name).register(registry);
    } else {
      fastFailures = null;
      fallbacks = null;
    }
  }

  String name() {
    return name;
  }

  /** True while the breaker is open: a reader picks another pool. */
  boolean unavailable() {
    return breaker.open();
  }

  private <T> Future<T> guard(Function<Pool, Future<T>> op, boolean mayFallBack) {
    Pool other = mayFallBack ? fallback : null;
    CircuitBreaker.Permit permit = breaker.permit();
    if (permit == CircuitBreaker.Permit.SKIP) {
      if (other != null) {
        count(fallbacks);
        return op.apply(other);
      }
      count(fastFailures);
      return Future.failedFuture(DataException.unavailable(name + " is unavailable"));
    }
    Future<T> result;
    try {
      result = op.apply(pool);
    } catch (RuntimeException e) {
      result = Future.failedFuture(e);
    }
    return result.transform(ar -> {
      if (ar.succeeded() || !Failures.unreachable(ar.cause())) {
        if (breaker.success()) {
          LOG.info("{} is reachable again", name);
        }
        return ar.succeeded() ? Future.succeededFuture(ar.result()) : Future.failedFuture(ar.cause());
      }
      if (breaker.failure(permit)) {
        LOG.warn("{} is unreachable, failing its requests at once for a while: {}", name, String.valueOf(ar.cause()));
      }
      if (other != null) {
        count(fallbacks);
        return op.apply(other);
      }
      return Future.failedFuture(ar.cause());
    });
  }

  private static void count(Counter c) {
    if (c != null) {
      c.increment();
    }
  }

  @Override
  public Future<SqlConnection> getConnection() {
    return guard(Pool::getConnection, false);
  }

  @Override
  public <T> Future<T> withTransaction(Function<SqlConnection, Future<T>> function) {
    return guard(p -> p.withTransaction(function), false);
  }

  @Override
  public <T> Future<T> withConnection(Function<SqlConnection, Future<T>> function) {
    return guard(p -> p.withConnection(function), false);
  }

  @Override
  public Query<RowSet<Row>> query(String sql) {
    return new GuardedQuery<>(p -> p.query(sql));
  }

  @Override
  public PreparedQuery<RowSet<Row>> preparedQuery(String sql) {
    return new GuardedPreparedQuery<>(p -> p.preparedQuery(sql));
  }

  @Override
  public PreparedQuery<RowSet<Row>> preparedQuery(String sql, PrepareOptions options) {
    return new GuardedPreparedQuery<>(p -> p.preparedQuery(sql, options));
  }

  @Override
  public int size() {
    return pool.size();
  }

  @Override
  public Future<Void> close() {
    return pool.close();
  }

  private final class GuardedQuery<T> implements Query<T> {
    private final Function<Pool, Query<T>> make;

    GuardedQuery(Function<Pool, Query<T>> make) {
      this.make = make;
    }

    @Override
    public Future<T> execute() {
      return guard(p -> make.apply(p).execute(), true);
    }

    @Override
    public <R> Query<SqlResult<R>> collecting(Collector<Row, ?, R> collector) {
      return new GuardedQuery<>(p -> make.apply(p).collecting(collector));
    }

    @Override
    public <U> Query<RowSet<U>> mapping(Function<Row, U> mapper) {
      return new GuardedQuery<>(p -> make.apply(p).mapping(mapper));
    }
  }

  private final class GuardedPreparedQuery<T> implements PreparedQuery<T> {
    private final Function<Pool, PreparedQuery<T>> make;

    GuardedPreparedQuery(Function<Pool, PreparedQuery<T>> make) {
      this.make = make;
    }

    @Override
    public Future<T> execute() {
      return guard(p -> make.apply(p).execute(), true);
    }

    @Override
    public Future<T> execute(Tuple tuple) {
      return guard(p -> make.apply(p).execute(tuple), true);
    }

    @Override
    public Future<T> executeBatch(List<Tuple> batch) {
      return guard(p -> make.apply(p).executeBatch(batch), true);
    }

    @Override
    public <R> PreparedQuery<SqlResult<R>> collecting(Collector<Row, ?, R> collector) {
      return new GuardedPreparedQuery<>(p -> make.apply(p).collecting(collector));
    }

    @Override
    public <U> PreparedQuery<RowSet<U>> mapping(Function<Row, U> mapper) {
      return new GuardedPreparedQuery<>(p -> make.apply(p).mapping(mapper));
    }
  }
}
