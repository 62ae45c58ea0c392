package io.spillway.data;

import io.spillway.web.Ids;
import io.spillway.events.Channel;
import io.spillway.events.EventType;
import io.vertx.core.Future;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Users and the email directory. A user lives on the logical shard of their email's hash. */
final class UserStore {
  private final Shards shards;
  private final OutboxEvents outbox;

  UserStore(Shards shards, OutboxEvents outbox) {
    this.shards = shards;
    this.outbox = outbox;
  }

  Future<Model.User> create(Requests.CreateUser req) {
    return createWrite(req).run();
  }

  /** Sign-up on the shard the email hashes to, in a transaction other rows may join. */
  ShardWrite<Model.User> createWrite(Requests.CreateUser req) {
    int logical = shards.router().logicalForKey(req.email());
    Model.User[] created = new Model.User[1];
    return new ShardWrite<>(logical, shards.primary(shards.router().physical(logical)),
        tx -> createIn(tx, req, logical).onSuccess(u -> created[0] = u), () -> shards.wrote(created[0].id(), created[0].id()));
  }

  private Future<Model.User> createIn(io.vertx.sqlclient.SqlConnection tx, Requests.CreateUser req, int logical) {
    return tx
            .preparedQuery("INSERT INTO email_directory (email, user_id) VALUES ($1, next_id($2)) "
                + "ON CONFLICT (email) DO NOTHING RETURNING user_id")
            .execute(Tuple.of(req.email(), logical))
            .compose(rows -> {
              if (rows.size() == 0) {
                return Future.failedFuture(DataException.conflict("a user with this email already exists"));
              }
              long id = rows.iterator().next().getLong(0);
              return tx.preparedQuery("INSERT INTO users (id, email, name, password_hash) VALUES ($1, $2, $3, $4) "
                      + "RETURNING " + Rows.USER_COLUMNS)
                  .execute(Tuple.of(id, req.email(), req.name(), req.passwordHash()));
            })
            .map(rows -> Rows.user(rows.iterator().next()));
  }

  Future<Model.User> get(Requests.GetUser req) {
    return shards.readerForId(req.id(), req.viewer())
        .preparedQuery("SELECT " + Rows.USER_COLUMNS + " FROM counted_users WHERE id = $1")
        .execute(Tuple.of(req.id()))
        .compose(rows -> rows.size() == 0 ? Future.failedFuture(DataException.notFound("user"))
            : Future.succeededFuture(Rows.user(rows.iterator().next())));
  }

  /**
   * One statement, so atomic without BEGIN/COMMIT: the new profile and its {@code user.updated} event, which
   * every node's caches follow.
   */
  Future<Model.User> update(Requests.UpdateUser req) {
    Channel channel = Channel.user(req.id());
    return shards.primaryForId(req.id())
        .preparedQuery(UPDATE_USER)
        .execute(Tuple.of(req.id(), req.name(), req.bio(), outbox.topic(), channel.name(),
            outbox.envelope(channel, EventType.USER_UPDATED)))
        .compose(rows -> rows.size() == 0 ? Future.failedFuture(DataException.notFound("user"))
            : Future.succeededFuture(Rows.user(rows.iterator().next())))
        .onSuccess(u -> shards.wrote(u.id(), u.id()));
  }

  private static final String UPDATE_USER = """
      WITH updated AS (
        UPDATE users SET name = coalesce($2, name), bio = coalesce($3, bio), updated_at = now()
        WHERE id = $1 RETURNING %s
      ), event AS (
        INSERT INTO outbox (topic, channel, event)
        SELECT $4, $5, $6::jsonb || jsonb_build_object('subject', 'users/' || updated.id,
          'data', jsonb_build_object('userId', updated.id::text, 'name', updated.name, 'bio', updated.bio))
        FROM updated
      )
      SELECT updated.id, updated.email, updated.name, updated.bio, c.post_count, c.follower_count, c.following_count,
        updated.created_at FROM updated JOIN counted_users c ON c.id = updated.id""".formatted(Rows.USER_COLUMNS);

  Future<Model.Credentials> credentials(Requests.FindCredentials req) {
    int physical = shards.router().physical(shards.router().logicalForKey(req.email()));
    return shards.primary(physical)
        .preparedQuery("SELECT u.id, u.password_hash FROM email_directory d JOIN users u ON u.id = d.user_id "
            + "WHERE d.email = $1")
        .execute(Tuple.of(req.email()))
        .map(rows -> rows.size() == 0 ? null
            : new Model.Credentials(rows.iterator().next().getLong(0), rows.iterator().next().getString(1)));
  }

  /** Names for many users: one query per physical shard ({@code = ANY($1)}), all shards in parallel. */
  Future<Map<Long, Model.UserRef>> refs(Collection<Long> ids, Long viewer) {
    if (ids.isEmpty()) {
      return Future.succeededFuture(Map.of());
    }
    List<Future<List<Model.UserRef>>> perShard = new ArrayList<>();
    shards.router().byPhysicalShard(ids).forEach((physical, shardIds) -> perShard.add(
        shards.reader(physical, viewer).preparedQuery("SELECT id, name FROM users WHERE id = ANY($1)")
            .execute(Tuple.of(shardIds.toArray(new Long[0])))
            .map(rows -> {
              List<Model.UserRef> refs = new ArrayList<>();
              for (Row r : rows) {
                refs.add(new Model.UserRef(r.getLong(0), r.getString(1)));
              }
              return refs;
            })));
    return Future.all(perShard).map(v -> {
      Map<Long, Model.UserRef> out = new HashMap<>();
      perShard.forEach(f -> f.result().forEach(r -> out.put(r.id(), r)));
      return out;
    });
  }

}
