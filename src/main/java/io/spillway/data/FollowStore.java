package io.spillway.data;

import io.spillway.web.Ids;
import io.spillway.events.Channel;
import io.spillway.events.EventType;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
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

  FollowStore(Shards shards, UserStore users, OutboxEvents outbox) {
    this.shards = shards;
    this.users = users;
    this.outbox = outbox;
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
    String sql = req.followers()
        ? "SELECT follower_id AS other, created_at FROM followers WHERE followee_id = $1 AND follower_id < $2 "
            + "ORDER BY follower_id DESC LIMIT $3"
        : "SELECT followee_id AS other, created_at FROM following WHERE follower_id = $1 AND followee_id < $2 "
            + "ORDER BY followee_id DESC LIMIT $3";
    return shards.readerForId(req.userId(), req.viewer()).preparedQuery(sql)
        .execute(Tuple.of(req.userId(), req.before(), req.limit() + 1))
        .compose(rows -> {
          if (rows.size() == 0) {
            return users.get(new Requests.GetUser(req.userId(), req.viewer())).map(u -> new Model.Page<>(List.of(), null));
          }
          KeysetSlice slice = KeysetSlice.of(rows, req.limit());
          return users.refs(slice.longs("other"), req.viewer())
              .map(refs -> new Model.Page<>(slice.rows().stream().map(r -> new Model.FollowEntry(
                      refs.getOrDefault(r.getLong("other"), new Model.UserRef(r.getLong("other"), null)),
                      Rows.instant(r, "created_at"))).toList(),
                  slice.next("other")));
        });
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
