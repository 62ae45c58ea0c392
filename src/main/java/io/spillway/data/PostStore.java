package io.spillway.data;

import io.spillway.web.Ids;
import io.spillway.events.Channel;
import io.spillway.events.EventType;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;

import java.util.List;

/**
 * Posts (on their author's shard), their comments and likes (with the post). Each write and its side rows
 * (counter slots, outbox events) commit in one transaction; reads take their counts from {@code
 * counted_posts} ({@link CounterSlots}).
 */
final class PostStore {
  private final Shards shards;
  private final UserStore users;
  private final OutboxEvents outbox;
  private final KeysetPage<Model.Post> userPosts;
  private final KeysetPage<Model.Comment> postComments;

  PostStore(Shards shards, UserStore users, OutboxEvents outbox) {
    this.shards = shards;
    this.users = users;
    this.outbox = outbox;
    this.userPosts = new KeysetPage<>(users, "SELECT " + Rows.POST_COLUMNS + " FROM counted_posts "
        + "WHERE author_id = $1 AND id < $2 ORDER BY id DESC LIMIT $3", "id", "author_id", Rows::post);
    this.postComments = new KeysetPage<>(users, "SELECT " + Rows.COMMENT_COLUMNS + " FROM comments "
        + "WHERE post_id = $1 AND id < $2 ORDER BY id DESC LIMIT $3", "id", "author_id", Rows::comment);
  }

  /**
   * One statement, so one round trip and atomic without BEGIN/COMMIT: insert the post, add one to a slot of
   * the author's post count ({@link CounterSlots}: no single row every post of the author queues on), insert
   * its outbox event. No author row, no post and no event.
   */
  Future<Model.Post> create(Requests.CreatePost req) {
    return createIn(shards.primaryForId(req.authorId()), req).onSuccess(p -> shards.wrote(req.authorId(), req.authorId()));
  }

  /** The same statement inside a transaction that other rows join (an Idempotency-Key record). */
  ShardWrite<Model.Post> createWrite(Requests.CreatePost req) {
    return new ShardWrite<>(ShardRouter.logicalOf(req.authorId()), shards.primaryForId(req.authorId()),
        tx -> createIn(tx, req),
        () -> shards.wrote(req.authorId(), req.authorId()));
  }

  private Future<Model.Post> createIn(SqlClient client, Requests.CreatePost req) {
    long author = req.authorId();
    Channel channel = Channel.posts(author);
    return client.preparedQuery(CREATE_POST)
        .execute(Tuple.of(author, ShardRouter.logicalOf(author), req.text(), outbox.topic(), channel.name(),
            outbox.envelope(channel, EventType.POST_CREATED), CounterSlots.slot()))
        .compose(rows -> rows.size() == 0 ? Future.failedFuture(DataException.notFound("author"))
            : Future.succeededFuture(Rows.post(rows.iterator().next(),
                new Model.UserRef(author, rows.iterator().next().getString("author_name")))));
  }

  private static final String CREATE_POST = """
      WITH author AS (
        SELECT id, name FROM users WHERE id = $1
      ), post AS (
        INSERT INTO posts (id, author_id, text) SELECT next_id($2), id, $3 FROM author
        RETURNING id, author_id, text, like_count, comment_count, created_at
      ), counted AS (
        INSERT INTO user_counter_slots (user_id, slot, posts) SELECT author_id, $7, 1 FROM post
        ON CONFLICT (user_id, slot) DO UPDATE SET posts = user_counter_slots.posts + 1
      ), event AS (
        INSERT INTO outbox (topic, channel, event)
        SELECT $4, $5, $6::jsonb || jsonb_build_object(
          'subject', 'posts/' || post.id,
          'data', jsonb_build_object('postId', post.id::text, 'authorId', post.author_id::text,
                                     'authorName', author.name, 'text', post.text, 'createdAt', post.created_at))
        FROM post, author
      )
      SELECT post.*, author.name AS author_name FROM post, author""";

  Future<Model.Post> get(Requests.GetPost req) {
    return shards.readerForId(req.id(), req.viewer())
        .preparedQuery("SELECT " + Rows.POST_COLUMNS + " FROM counted_posts WHERE id = $1")
        .execute(Tuple.of(req.id()))
        .compose(rows -> rows.size() == 0 ? Future.failedFuture(DataException.notFound("post"))
            : withAuthor(rows.iterator().next(), req.viewer()));
  }

  Future<Void> delete(Requests.DeletePost req) {
    return shards.primaryForId(req.id()).withTransaction(tx -> tx
            .preparedQuery("SELECT author_id FROM posts WHERE id = $1 FOR UPDATE")
            .execute(Tuple.of(req.id()))
            .compose(rows -> {
              if (rows.size() == 0) {
                return Future.failedFuture(DataException.notFound("post"));
              }
              long author = rows.iterator().next().getLong(0);
              if (author != req.actor()) {
                return Future.failedFuture(DataException.forbidden("only the author can delete a post"));
              }
              return tx.preparedQuery("DELETE FROM comments WHERE post_id = $1").execute(Tuple.of(req.id()))
                  .compose(v -> tx.preparedQuery("DELETE FROM likes WHERE post_id = $1").execute(Tuple.of(req.id())))
                  .compose(v -> tx.preparedQuery("DELETE FROM post_counter_slots WHERE post_id = $1").execute(Tuple.of(req.id())))
                  .compose(v -> tx.preparedQuery("DELETE FROM posts WHERE id = $1").execute(Tuple.of(req.id())))
                  .compose(v -> CounterSlots.add(tx, CounterSlots.Count.POSTS, author, -1))
                  .compose(v -> outbox.add(tx, Channel.posts(author), EventType.POST_DELETED, "posts/" + req.id(),
                      new JsonObject().put("postId", Ids.format(req.id())).put("authorId", Ids.format(author))));
            }))
        .onSuccess(v -> shards.wrote(req.actor(), req.id()));
  }

  Future<Model.Page<Model.Post>> listByAuthor(Requests.ListUserPosts req) {
    // An empty first page of an unknown user is a 404, not an empty list.
    return userPosts.read(shards.readerForId(req.authorId(), req.viewer()), req.authorId(), req.before(),
        req.limit(), req.viewer(), () -> users.get(new Requests.GetUser(req.authorId(), req.viewer())));
  }

  Future<Model.Comment> comment(Requests.CreateComment req) {
    return commentWrite(req).run();
  }

  ShardWrite<Model.Comment> commentWrite(Requests.CreateComment req) {
    return new ShardWrite<>(ShardRouter.logicalOf(req.postId()), shards.primaryForId(req.postId()),
        tx -> commentIn(tx, req),
        () -> shards.wrote(req.authorId(), req.postId()));
  }

  private Future<Model.Comment> commentIn(io.vertx.sqlclient.SqlConnection tx, Requests.CreateComment req) {
    long postId = req.postId();
    // KEY SHARE: comments on one post do not wait for each other, but a delete of the post waits for them.
    return tx
            .preparedQuery("SELECT author_id FROM posts WHERE id = $1 FOR KEY SHARE")
            .execute(Tuple.of(postId))
            .compose(rows -> {
              if (rows.size() == 0) {
                return Future.failedFuture(DataException.notFound("post"));
              }
              long postAuthor = rows.iterator().next().getLong(0);
              return CounterSlots.add(tx, CounterSlots.Count.COMMENTS, postId, 1).compose(counted -> tx.preparedQuery("INSERT INTO comments (id, post_id, author_id, text) "
                      + "VALUES (next_id($1), $2, $3, $4) RETURNING " + Rows.COMMENT_COLUMNS)
                  .execute(Tuple.of(ShardRouter.logicalOf(postId), postId, req.authorId(), req.text()))
                  .map(c -> Rows.comment(c.iterator().next(), null))
                  .compose(c -> {
                    JsonObject data = new JsonObject().put("commentId", Ids.format(c.id()))
                        .put("postId", Ids.format(postId)).put("authorId", Ids.format(c.authorId()))
                        .put("text", c.text());
                    Future<Void> events = outbox.add(tx, Channel.post(postId), EventType.COMMENT_CREATED,
                        "posts/" + postId + "/comments/" + c.id(), data);
                    if (postAuthor != req.authorId()) {
                      events = events.compose(v -> outbox.add(tx, Channel.user(postAuthor), EventType.COMMENT_CREATED,
                          "posts/" + postId + "/comments/" + c.id(), data));
                    }
                    return events.map(c);
                  }));
            });
  }

  Future<Model.Page<Model.Comment>> comments(Requests.ListComments req) {
    return postComments.read(shards.readerForId(req.postId(), req.viewer()), req.postId(), req.before(),
        req.limit(), req.viewer(), () -> get(new Requests.GetPost(req.postId(), req.viewer())));
  }

  /** Like or unlike: idempotent, and the count stays exact under concurrency (one row per user and post). */
  Future<Model.Like> like(Requests.SetLike req) {
    long postId = req.postId();
    return shards.primaryForId(postId).withTransaction(tx -> tx
            .preparedQuery("SELECT author_id FROM posts WHERE id = $1 FOR KEY SHARE")
            .execute(Tuple.of(postId))
            .compose(rows -> {
              if (rows.size() == 0) {
                return Future.failedFuture(DataException.notFound("post"));
              }
              long author = rows.iterator().next().getLong(0);
              String change = req.liked()
                  ? "INSERT INTO likes (post_id, user_id) VALUES ($1, $2) ON CONFLICT DO NOTHING RETURNING 1"
                  : "DELETE FROM likes WHERE post_id = $1 AND user_id = $2 RETURNING 1";
              return tx.preparedQuery(change).execute(Tuple.of(postId, req.userId())).compose(changed -> {
                if (changed.size() == 0) {
                  return likeCount(tx, postId).map(n -> new Model.Like(postId, req.liked(), n));
                }
                return CounterSlots.add(tx, CounterSlots.Count.LIKES, postId, req.liked() ? 1 : -1)
                    .compose(v -> likeCount(tx, postId))
                    .map(n -> new Model.Like(postId, req.liked(), n))
                    .compose(like -> likeEvents(tx, like, author, req.userId()).map(like));
              });
            }))
        .onSuccess(l -> shards.wrote(req.userId(), req.postId()));
  }

  private static Future<Integer> likeCount(SqlClient tx, long postId) {
    return tx.preparedQuery("SELECT like_count FROM counted_posts WHERE id = $1").execute(Tuple.of(postId))
        .map(c -> c.iterator().next().getInteger(0));
  }

  private Future<Void> likeEvents(io.vertx.sqlclient.SqlConnection tx, Model.Like like, long author, long liker) {
    JsonObject data = new JsonObject().put("postId", Ids.format(like.postId())).put("likeCount", like.likeCount())
        .put("userId", Ids.format(liker)).put("liked", like.liked());
    Future<Void> events = outbox.add(tx, Channel.post(like.postId()), EventType.POST_LIKES, "posts/" + like.postId(), data);
    if (like.liked() && author != liker) {
      events = events.compose(v -> outbox.add(tx, Channel.user(author), EventType.POST_LIKED,
          "posts/" + like.postId(), data));
    }
    return events;
  }

  private Future<Model.Post> withAuthor(Row row, Long viewer) {
    long author = row.getLong("author_id");
    return users.refs(List.of(author), viewer).map(refs -> Rows.post(row, KeysetPage.ref(refs, author)));
  }
}
