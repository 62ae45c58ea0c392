package io.spillway.data;

import io.vertx.core.Future;
import io.vertx.sqlclient.Tuple;

/** What an account holds besides its profile: its usage plan ({@code users.plan}) and its password hash. */
final class AccountStore {
  private final Shards shards;

  AccountStore(Shards shards) {
    this.shards = shards;
  }

  /** From the primary: a plan an administrator just changed applies on the next lookup. */
  Future<Model.AccountPlan> get(Requests.GetAccountPlan req) {
    if (!shards.router().routable(req.userId())) {
      return Future.failedFuture(DataException.notFound("user"));
    }
    return shards.primaryForId(req.userId())
        .preparedQuery("SELECT plan FROM users WHERE id = $1")
        .execute(Tuple.of(req.userId()))
        .compose(rows -> rows.size() == 0 ? Future.failedFuture(DataException.notFound("user"))
            : Future.succeededFuture(new Model.AccountPlan(req.userId(), rows.iterator().next().getString(0))));
  }

  Future<Model.AccountPlan> set(Requests.SetAccountPlan req) {
    if (!shards.router().routable(req.userId())) {
      return Future.failedFuture(DataException.notFound("user"));
    }
    return shards.primaryForId(req.userId())
        .preparedQuery("UPDATE users SET plan = $2, updated_at = now() WHERE id = $1 RETURNING plan")
        .execute(Tuple.of(req.userId(), req.plan()))
        .compose(rows -> rows.size() == 0 ? Future.failedFuture(DataException.notFound("user"))
            : Future.succeededFuture(new Model.AccountPlan(req.userId(), rows.iterator().next().getString(0))));
  }

  /** Replaces the hash only if it is still {@code oldHash}: a password changed meanwhile is left alone. */
  Future<Void> rehash(Requests.ReplacePasswordHash req) {
    return shards.primaryForId(req.userId())
        .preparedQuery("UPDATE users SET password_hash = $3 WHERE id = $1 AND password_hash = $2")
        .execute(Tuple.of(req.userId(), req.oldHash(), req.newHash()))
        .mapEmpty();
  }
}
