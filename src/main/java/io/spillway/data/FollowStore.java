package io.spillway.data;

import io.spillway.web.Ids;
import io.spillway.events.Channel;
import io.spillway.events.EventType;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;

import java.util.ArrayList;
import java.util.List;

/**
 * Follows are written on both users' shards: a {@code following} row (and counter) on the follower's, a
 * {@code followers} row (counter and outbox event) on the followee's. The two shards cannot share a
 * transaction, so each step is idempotent and runs in order: a failed second step leaves a half follow
 * that the client's retry of the same PUT (or DELETE) completes.
 */
final class FollowStore {
  private static final int MAX_FOLLOWING_READ = 10_000;

  private final Shards shards;
  private final UserStore users;
  private final OutboxEvents outbox;
  private final KeysetPage<Model.FollowEntry> followers;
  private final KeysetPage<Model.FollowEntry> following;

  FollowStore(Shards shards, UserStore users, OutboxEvents outbox) {
    this.shards = shards;
    this.users = users;
    this.outbox = outbox;
    this.followers = new KeysetPage<>(users, "SELECT follower_id AS other, created_at FROM followers "
        + "WHERE followee_id = $1 AND follower_id < $2 ORDER BY follower_id DESC LIMIT $3", "other", "other",
        FollowStore::entry);
    this.following = new KeysetPage<>(users, "SELECT followee_id AS other, created_at FROM following "
        + "WHERE follower_id = $1 AND followee_id < $2 ORDER BY followee_id DESC LIMIT $3", "other", "other",
        FollowStore::entry);
  }

  Future<Model.Follow> set(Requests.SetFollow req) {
    long follower = req.followerId();
    long followee = req.followeeId();
    return users.get(new Requests.GetUser(followee, follower))
        .compose(u -> shards.primaryForId(follower).withTransaction(tx -> (req.follow()
                ? tx.preparedQuery("INSERT INTO following (follower_id, followee_id) VALUES ($1, $2) "
                    + "ON CONFLICT DO NOTHING RETURNING 1")
                : tx.preparedQuery("DELETE FROM following WHERE follower_id = $1 AND followee_id = $2 RETURNING 1"))
            .execute(Tuple.of(follower, followee))
            .compose(changed -> changed.size() == 0 ? Future.succeededFuture()
                : tx.preparedQuery("UPDATE users SET following_count = following_count + $2 WHERE id = $1")
                    .execute(Tuple.of(follower, req.follow() ? 1 : -1)).mapEmpty())))
        .compose(v -> shards.primaryForId(followee).withTransaction(tx -> (req.follow()
                ? tx.preparedQuery("INSERT INTO followers (followee_id, follower_id) VALUES ($1, $2) "
                    + "ON CONFLICT DO NOTHING RETURNING 1")
                : tx.preparedQuery("DELETE FROM followers WHERE followee_id = $1 AND follower_id = $2 RETURNING 1"))
            .execute(Tuple.of(followee, follower))
            .compose(changed -> changed.size() == 0 ? Future.succeededFuture()
                : tx.preparedQuery("UPDATE users SET follower_count = follower_count + $2 WHERE id = $1")
                    .execute(Tuple.of(followee, req.follow() ? 1 : -1))
                    .compose(x -> outbox.add(tx, Channel.user(followee),
                        req.follow() ? EventType.FOLLOW_CREATED : EventType.FOLLOW_DELETED, "users/" + followee,
                        new JsonObject().put("followerId", Ids.format(follower)).put("followeeId", Ids.format(followee)))))))
        .map(v -> new Model.Follow(follower, followee, req.follow()))
        .onSuccess(f -> shards.wrote(follower));
  }

  Future<Model.Page<Model.FollowEntry>> list(Requests.ListFollows req) {
    return (req.followers() ? followers : following).read(shards.readerForId(req.userId(), req.viewer()),
        req.userId(), req.before(), req.limit(), req.viewer(),
        () -> users.get(new Requests.GetUser(req.userId(), req.viewer())));
  }

  private static Model.FollowEntry entry(Row row, Model.UserRef user) {
    return new Model.FollowEntry(user, Rows.instant(row, "created_at"));
  }

  /** Everyone {@code userId} follows (bounded), read from the follower's own shard. */
  Future<List<Long>> followees(long userId) {
    return shards.primaryForId(userId)
        .preparedQuery("SELECT followee_id FROM following WHERE follower_id = $1 LIMIT " + MAX_FOLLOWING_READ)
        .execute(Tuple.of(userId))
        .map(rows -> {
          List<Long> ids = new ArrayList<>(rows.size());
          rows.forEach(r -> ids.add(r.getLong(0)));
          return ids;
        });
  }
}
