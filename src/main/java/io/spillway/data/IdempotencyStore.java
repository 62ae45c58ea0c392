package io.spillway.data;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;

/**
 * Idempotency-Key records, each in the same transaction as the write it guards, on that write's shard.
 *
 * <p>The transaction inserts the key's record first. A concurrent request with the same key blocks on that
 * insert (the primary key) until the first transaction ends: when it committed, the second finds the record
 * and replays its response; when it rolled back (the write failed, or the node died and PostgreSQL ended
 * its session), the second writes. The response is stored before the commit, so a record without one is
 * never seen: there is no "in progress" state to wait out, and a retry after a crash is answered at once,
 * replayed or written. Records are kept for a day ({@link #expire}).
 */
final class IdempotencyStore {
  private static final String CLAIM = "INSERT INTO idempotency_keys (scope, key, request_hash, logical_shard) "
      + "VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING RETURNING 1";
  private static final String COMPLETE = "UPDATE idempotency_keys SET status = $3, response = $4 "
      + "WHERE scope = $1 AND key = $2";
  private static final String LOOKUP = "SELECT request_hash, status, response FROM idempotency_keys "
      + "WHERE scope = $1 AND key = $2";

  private final Shards shards;
  private final PostStore posts;
  private final UserStore users;

  IdempotencyStore(Shards shards, PostStore posts, UserStore users) {
    this.shards = shards;
    this.posts = posts;
    this.users = users;
  }

  <R> Future<Model.StoredResponse> run(Requests.IdempotentWrite<R> req) {
    ShardWrite<R> write = plan(req.write());
    Requests.IdempotencyKey k = req.key();
    boolean[] wrote = new boolean[1];
    return write.pool().withTransaction(tx -> tx.preparedQuery(CLAIM).execute(Tuple.of(k.scope(), k.key(), k.requestHash(), write.logical()))
            .compose(claimed -> claimed.size() > 0 ? writeAndStore(tx, write, req, wrote) : replay(tx, k)))
        .onSuccess(r -> {
          if (wrote[0]) {
            write.committed().run();
          } else {
            // A retry answered from the record: the first request's write is on this shard.
            shards.touched(shards.router().physical(write.logical()));
          }
        });
  }

  private <R> Future<Model.StoredResponse> writeAndStore(SqlConnection tx, ShardWrite<R> write,
                                                          Requests.IdempotentWrite<R> req, boolean[] wrote) {
    Requests.IdempotencyKey k = req.key();
    return write.body().apply(tx).compose(result -> {
      Model.StoredResponse response = req.render().apply(result);
      wrote[0] = true;
      return tx.preparedQuery(COMPLETE).execute(Tuple.of(k.scope(), k.key(), response.status(), response.response()))
          .map(response);
    });
  }

  private static Future<Model.StoredResponse> replay(SqlConnection tx, Requests.IdempotencyKey k) {
    return tx.preparedQuery(LOOKUP).execute(Tuple.of(k.scope(), k.key())).compose(rows -> {
      if (rows.size() == 0) {
        // Expired between the insert and the lookup: rare; the client's retry writes.
        return Future.failedFuture(DataException.conflict("the Idempotency-Key record changed, retry"));
      }
      Row row = rows.iterator().next();
      if (!row.getString("request_hash").equals(k.requestHash())) {
        return Future.failedFuture(DataException.unprocessable("this Idempotency-Key was used with a different request"));
      }
      Integer status = row.getInteger("status");
      if (status == null) {
        // Only a claim left by a version that claimed and completed in separate transactions.
        return Future.failedFuture(DataException.conflict("a request with this Idempotency-Key is in progress"));
      }
      Object response = row.getValue("response");
      return Future.succeededFuture(new Model.StoredResponse(status,
          response instanceof JsonObject o ? o : new JsonObject(), true));
    });
  }

  @SuppressWarnings("unchecked")
  private <R> ShardWrite<R> plan(DataRequest<R> write) {
    if (write instanceof Requests.CreatePost p) {
      return (ShardWrite<R>) posts.createWrite(p);
    }
    if (write instanceof Requests.CreateComment c) {
      return (ShardWrite<R>) posts.commentWrite(c);
    }
    if (write instanceof Requests.CreateUser u) {
      return (ShardWrite<R>) users.createWrite(u);
    }
    throw new IllegalArgumentException(write.getClass().getSimpleName() + " cannot take an Idempotency-Key");
  }

  /** Drops records older than a day on every shard. */
  Future<Void> expire() {
    Future<?> chain = Future.succeededFuture();
    for (int i = 0; i < shards.count(); i++) {
      Pool p = shards.primary(i);
      chain = chain.compose(v -> p.query("DELETE FROM idempotency_keys WHERE created_at < now() - interval '1 day'")
          .execute());
    }
    return chain.mapEmpty();
  }
}
