package io.spillway.data;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;

/**
 * Idempotency-Key records. A key is claimed before the write (so a concurrent retry gets 409 instead of a
 * second write), completed with the response after it, and released if the write failed. A claim whose
 * owner died is taken over after {@link #STALE_CLAIM_SECONDS}. Records are kept for 24 hours.
 */
final class IdempotencyStore {
  static final int STALE_CLAIM_SECONDS = 60;
  private final Shards shards;

  IdempotencyStore(Shards shards) {
    this.shards = shards;
  }

  private Pool pool(String scope) {
    return shards.primary(shards.router().physical(shards.router().logicalForKey(scope)));
  }

  Future<Model.IdempotencyClaim> claim(Requests.ClaimIdempotencyKey req) {
    Pool pool = pool(req.scope());
    return pool.preparedQuery("INSERT INTO idempotency_keys (scope, key, request_hash) VALUES ($1, $2, $3) "
            + "ON CONFLICT DO NOTHING RETURNING 1")
        .execute(Tuple.of(req.scope(), req.key(), req.requestHash()))
        .compose(inserted -> inserted.size() > 0 ? Future.succeededFuture(Model.IdempotencyClaim.go())
            : pool.preparedQuery("SELECT request_hash, status, response, "
                    + "created_at < now() - make_interval(secs => $3) AS stale FROM idempotency_keys "
                    + "WHERE scope = $1 AND key = $2")
                .execute(Tuple.of(req.scope(), req.key(), STALE_CLAIM_SECONDS))
                .compose(rows -> rows.size() == 0 ? claim(req) : existing(pool, req, rows.iterator().next())));
  }

  private Future<Model.IdempotencyClaim> existing(Pool pool, Requests.ClaimIdempotencyKey req, Row row) {
    if (!row.getString("request_hash").equals(req.requestHash())) {
      return Future.failedFuture(DataException.unprocessable(
          "this Idempotency-Key was used with a different request"));
    }
    Integer status = row.getInteger("status");
    if (status != null) {
      Object response = row.getValue("response");
      return Future.succeededFuture(new Model.IdempotencyClaim(false, status,
          response instanceof JsonObject o ? o : new JsonObject()));
    }
    if (!row.getBoolean("stale")) {
      return Future.failedFuture(DataException.conflict("a request with this Idempotency-Key is in progress"));
    }
    return pool.preparedQuery("UPDATE idempotency_keys SET created_at = now() WHERE scope = $1 AND key = $2 "
            + "AND status IS NULL AND created_at < now() - make_interval(secs => $3) RETURNING 1")
        .execute(Tuple.of(req.scope(), req.key(), STALE_CLAIM_SECONDS))
        .compose(taken -> taken.size() > 0 ? Future.succeededFuture(Model.IdempotencyClaim.go())
            : Future.failedFuture(DataException.conflict("a request with this Idempotency-Key is in progress")));
  }

  Future<Void> complete(Requests.CompleteIdempotencyKey req) {
    return pool(req.scope()).preparedQuery("UPDATE idempotency_keys SET status = $3, response = $4 "
            + "WHERE scope = $1 AND key = $2")
        .execute(Tuple.of(req.scope(), req.key(), req.status(), req.response()))
        .mapEmpty();
  }

  Future<Void> release(Requests.ReleaseIdempotencyKey req) {
    return pool(req.scope()).preparedQuery("DELETE FROM idempotency_keys WHERE scope = $1 AND key = $2 "
            + "AND status IS NULL")
        .execute(Tuple.of(req.scope(), req.key()))
        .mapEmpty();
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
