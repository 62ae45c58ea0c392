package io.spillway.data;

import io.spillway.web.Ids;
import io.spillway.events.Channel;
import io.spillway.events.EventType;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;

/**
 * Follows live on both users' shards: a {@code following} row (and counter) on the follower's, a {@code
 * followers} row (counter and outbox event) on the followee's. The follower's shard is the truth. A follow
 * or unfollow writes its {@code following} side and a {@code follow_sync} row for the pair in one
 * transaction; then the other shard is brought to match the truth and the sync row is deleted. If that
 * second step fails (the other shard down, the node gone), the sync row stays and {@link #repair} retries it
 * every second: no half follow is left for good.
 *
 * <p>The second step runs in a transaction on the follower's shard that locks the pair's sync row, reads
 * the truth there and only then writes the other shard. A follow and an unfollow of the same pair thus
 * reach the other shard one at a time, each with the truth as it stood after the one before: they cannot
 * cross and leave the two sides disagreeing.
 */
final class FollowStore {
  private static final Logger LOG = LoggerFactory.getLogger(FollowStore.class);
  private static final int REPAIR_BATCH = 100;

  private final Shards shards;
  private final UserStore users;
  private final OutboxEvents outbox;
  private final KeysetPage<Model.FollowEntry> followers;
  private final KeysetPage<Model.FollowEntry> following;
  private boolean repairing;

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

  /**
   * Follow or unfollow: the truth and the pair's sync row commit together; the other shard follows at once
   * when it can, else by {@link #repair}. The caller's answer is the truth, which is durable either way.
   */
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
                : CounterSlots.add(tx, CounterSlots.Count.FOLLOWING, follower, req.follow() ? 1 : -1))
            // Even when nothing changed here: a repeated PUT or DELETE also checks the other side.
            .compose(v -> tx.preparedQuery("INSERT INTO follow_sync (follower_id, followee_id) VALUES ($1, $2) "
                + "ON CONFLICT (follower_id, followee_id) DO UPDATE SET updated_at = now()")
                .execute(Tuple.of(follower, followee)))
            .mapEmpty()))
        .onSuccess(v -> shards.wrote(follower, follower))
        .compose(v -> sync(follower, followee).otherwise(err -> {
          LOG.warn("the followers side of {} -> {} is behind, it will be repaired: {}", follower, followee,
              String.valueOf(err));
          return null;
        }))
        .map(v -> new Model.Follow(follower, followee, req.follow()));
  }

  /**
   * Brings the followee's shard to the truth of the pair, under the pair's sync row lock; deletes the sync
   * row once it matches. Nothing to do when there is no sync row (another sync got there first).
   */
  private Future<Void> sync(long follower, long followee) {
    return shards.primaryForId(follower).withTransaction(tx -> tx
        .preparedQuery("SELECT EXISTS (SELECT 1 FROM following WHERE follower_id = $1 AND followee_id = $2) "
            + "FROM follow_sync WHERE follower_id = $1 AND followee_id = $2 FOR UPDATE SKIP LOCKED")
        .execute(Tuple.of(follower, followee))
        .compose(rows -> {
          if (rows.size() == 0) {
            return Future.succeededFuture();
          }
          boolean follows = rows.iterator().next().getBoolean(0);
          return applyFollowers(follower, followee, follows)
              .compose(v -> tx.preparedQuery("DELETE FROM follow_sync WHERE follower_id = $1 AND followee_id = $2")
                  .execute(Tuple.of(follower, followee)))
              .mapEmpty();
        }));
  }

  private Future<Void> applyFollowers(long follower, long followee, boolean follows) {
    return shards.primaryForId(followee).withTransaction(tx -> (follows
            ? tx.preparedQuery("INSERT INTO followers (followee_id, follower_id) VALUES ($1, $2) "
                + "ON CONFLICT DO NOTHING RETURNING 1")
            : tx.preparedQuery("DELETE FROM followers WHERE followee_id = $1 AND follower_id = $2 RETURNING 1"))
        .execute(Tuple.of(followee, follower))
        .compose(changed -> changed.size() == 0 ? Future.succeededFuture()
            : CounterSlots.add(tx, CounterSlots.Count.FOLLOWERS, followee, follows ? 1 : -1)
                .compose(x -> outbox.add(tx, Channel.user(followee),
                    follows ? EventType.FOLLOW_CREATED : EventType.FOLLOW_DELETED, "users/" + followee,
                    new JsonObject().put("followerId", Ids.format(follower)).put("followeeId", Ids.format(followee))))))
        // The caller's consistency token covers this side too, once it is written.
        .onSuccess(v -> shards.touched(shards.router().physicalOfId(followee)));
  }

  /**
   * Retries the second half of follows whose sync row is older than a second (its own attempt failed, or
   * its node died), a batch per shard. One repair at a time per store; failures wait for the next run.
   */
  Future<Void> repair() {
    if (repairing) {
      return Future.succeededFuture();
    }
    repairing = true;
    Future<?> chain = Future.succeededFuture();
    for (int i = 0; i < shards.count(); i++) {
      int shard = i;
      chain = chain.compose(v -> shards.primary(shard)
          .preparedQuery("SELECT follower_id, followee_id FROM follow_sync WHERE updated_at < now() - interval '1 second' "
              + "ORDER BY updated_at LIMIT " + REPAIR_BATCH)
          .execute()
          .compose(rows -> {
            Future<?> pairs = Future.succeededFuture();
            for (Row r : rows) {
              long follower = r.getLong(0);
              long followee = r.getLong(1);
              pairs = pairs.compose(x -> sync(follower, followee));
            }
            return pairs;
          })
          .otherwiseEmpty());
    }
    return chain.<Void>mapEmpty().eventually(() -> {
      repairing = false;
      return Future.succeededFuture();
    });
  }

  Future<Model.Page<Model.FollowEntry>> list(Requests.ListFollows req) {
    return (req.followers() ? followers : following).read(shards.readerForId(req.userId(), req.viewer()),
        req.userId(), req.before(), req.limit(), req.viewer(),
        () -> users.get(new Requests.GetUser(req.userId(), req.viewer())));
  }

  private static Model.FollowEntry entry(Row row, Model.UserRef user) {
    return new Model.FollowEntry(user, Rows.instant(row, "created_at"));
  }

  /**
   * The accounts {@code userId} follows, at most {@code max} of them: the most recently followed first (index
   * {@code following_by_time}), read from the follower's own shard.
   */
  Future<List<Long>> followees(long userId, int max) {
    return shards.primaryForId(userId)
        .preparedQuery("SELECT followee_id FROM following WHERE follower_id = $1 ORDER BY created_at DESC LIMIT $2")
        .execute(Tuple.of(userId, max))
        .map(rows -> {
          List<Long> ids = new ArrayList<>(rows.size());
          rows.forEach(r -> ids.add(r.getLong(0)));
          return ids;
        });
  }

  /**
   * One page of {@code userId}'s followers, by follower id ascending after {@code after}, from the followee's
   * shard: the fan-out walks them page by page.
   */
  Future<List<Long>> followerPage(long userId, long after, int limit) {
    return shards.primaryForId(userId)
        .preparedQuery("SELECT follower_id FROM followers WHERE followee_id = $1 AND follower_id > $2 "
            + "ORDER BY follower_id LIMIT $3")
        .execute(Tuple.of(userId, after, limit))
        .map(rows -> {
          List<Long> ids = new ArrayList<>(rows.size());
          rows.forEach(r -> ids.add(r.getLong(0)));
          return ids;
        });
  }
}
