package io.spillway.data;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;

import java.util.ArrayList;
import java.util.List;

/** API keys, on their owner's shard; the key id carries that shard. */
final class ApiKeyStore {
  private static final String COLUMNS = "id, user_id, name, prefix, key_hash, plan, created_at, last_used_at, revoked_at";
  private static final int MAX_KEYS_LISTED = 100;
  private final Shards shards;

  ApiKeyStore(Shards shards) {
    this.shards = shards;
  }

  /**
   * One transaction on the owner's shard: lock the account's row, count its active keys, reserve an id, insert.
   * Two concurrent creates for one account queue on the lock, so the cap holds.
   */
  Future<Model.CreatedApiKey> create(Requests.CreateApiKey req) {
    // The count is a statement of its own, after the lock: a statement reads the rows committed when it
    // starts, and one that waited for the lock would count without the key its predecessor just added.
    return shards.primaryForId(req.userId()).withTransaction(tx -> tx
        .preparedQuery("SELECT 1 FROM users WHERE id = $1 FOR UPDATE")
        .execute(Tuple.of(req.userId()))
        .compose(rows -> rows.size() == 0 ? Future.failedFuture(DataException.notFound("user"))
            : tx.preparedQuery("SELECT count(*) FROM api_keys WHERE user_id = $1 AND revoked_at IS NULL")
                .execute(Tuple.of(req.userId())))
        .compose(rows -> {
          if (rows.iterator().next().getLong(0) >= req.maxActive()) {
            return Future.failedFuture(DataException.conflict("the account already holds " + req.maxActive()
                + " active API keys, the most it may; revoke one first"));
          }
          return tx.preparedQuery("SELECT next_id($1)").execute(Tuple.of(ShardRouter.logicalOf(req.userId())));
        })
        .compose(ids -> {
          long id = ids.iterator().next().getLong(0);
          Model.NewApiKey minted = req.mint().apply(id);
          return tx.preparedQuery("INSERT INTO api_keys (id, user_id, name, prefix, key_hash, plan) "
                  + "VALUES ($1, $2, $3, $4, $5, $6) RETURNING " + COLUMNS)
              .execute(Tuple.of(id, req.userId(), req.name(), minted.prefix(), Buffer.buffer(minted.keyHash()),
                  req.plan()))
              .map(rows -> new Model.CreatedApiKey(row(rows.iterator().next()), minted.key()));
        }));
  }

  Future<List<Model.ApiKey>> list(Requests.ListApiKeys req) {
    return shards.primaryForId(req.userId())
        .preparedQuery("SELECT " + COLUMNS + " FROM api_keys WHERE user_id = $1 AND revoked_at IS NULL "
            + "ORDER BY id DESC LIMIT " + MAX_KEYS_LISTED)
        .execute(Tuple.of(req.userId()))
        .map(rows -> {
          List<Model.ApiKey> out = new ArrayList<>();
          rows.forEach(r -> out.add(row(r)));
          return out;
        });
  }

  Future<Void> revoke(Requests.RevokeApiKey req) {
    if (!shards.router().routable(req.id())) {
      return Future.failedFuture(DataException.notFound("api key"));
    }
    return shards.primaryForId(req.id())
        .preparedQuery("UPDATE api_keys SET revoked_at = coalesce(revoked_at, now()) WHERE id = $1 AND user_id = $2 "
            + "RETURNING id")
        .execute(Tuple.of(req.id(), req.userId()))
        .compose(rows -> rows.size() == 0 ? Future.failedFuture(DataException.notFound("api key"))
            : Future.succeededFuture());
  }

  /**
   * The key (revoked or not) or null. A read: the use is recorded later, in a batch ({@link #touch}), and only
   * for a key whose secret matched, so made-up keys cost no write.
   */
  Future<Model.ApiKey> find(Requests.FindApiKey req) {
    if (!shards.router().routable(req.id())) {
      return Future.succeededFuture(null);
    }
    return shards.primaryForId(req.id())
        .preparedQuery("SELECT " + COLUMNS + " FROM api_keys WHERE id = $1")
        .execute(Tuple.of(req.id()))
        .map(rows -> rows.size() == 0 ? null : row(rows.iterator().next()));
  }

  /** {@code last_used_at = now()} for a batch of keys: one statement per shard. */
  Future<Void> touch(Requests.TouchApiKeys req) {
    List<Long> routable = req.ids().stream().filter(id -> shards.router().routable(id)).toList();
    List<Future<?>> all = new ArrayList<>();
    shards.router().byPhysicalShard(routable).forEach((physical, ids) -> all.add(shards.primary(physical)
        .preparedQuery("UPDATE api_keys SET last_used_at = now() WHERE id = ANY($1)")
        .execute(Tuple.of(ids.toArray(new Long[0])))));
    return Future.all(all).mapEmpty();
  }

  private static Model.ApiKey row(Row r) {
    return new Model.ApiKey(r.getLong("id"), r.getLong("user_id"), r.getString("name"), r.getString("prefix"),
        r.getBuffer("key_hash").getBytes(), r.getString("plan"), Rows.instant(r, "created_at"),
        Rows.instant(r, "last_used_at"), Rows.instant(r, "revoked_at"));
  }
}
