package io.spillway.data;

import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;
import java.util.function.BiFunction;

/**
 * Reads of many items at once, for batched loaders (GraphQL's DataLoaders, the cache's misses): one query per
 * physical shard that holds any of the ids (users and posts by an {@link IdListQuery}, planned once, and shared
 * with the concurrent reads for the same pool: {@link GatheredIdReads}), all shards in parallel, merged by id.
 * Never one query per item.
 */
final class BatchReads {
  private static final IdListQuery USERS = new IdListQuery("SELECT " + Rows.USER_COLUMNS + " FROM counted_users WHERE id");
  private static final IdListQuery POSTS = new IdListQuery("SELECT " + Rows.POST_COLUMNS + " FROM counted_posts WHERE id");
  /** The newest {@code $2} comments of each post in {@code $1}, each post by its index (post_id, id). */
  private static final String LATEST_COMMENTS = "SELECT c.* FROM unnest($1::bigint[]) AS p(id) CROSS JOIN LATERAL ("
      + "SELECT " + Rows.COMMENT_COLUMNS + " FROM comments WHERE post_id = p.id ORDER BY id DESC LIMIT $2) c";
  private static final String LIKED = "SELECT post_id FROM likes WHERE user_id = $1 AND post_id = ANY($2)";

  private final Shards shards;
  private final GatheredIdReads userRows = new GatheredIdReads(USERS);
  private final GatheredIdReads postRows = new GatheredIdReads(POSTS);

  BatchReads(Shards shards) {
    this.shards = shards;
  }

  /** Users by id; the reads of concurrent requests for one pool share a statement ({@link GatheredIdReads}). */
  Future<Map<Long, Model.User>> users(Requests.GetUsers req) {
    return perShard(req.ids(), req.viewers(), userRows::read,
        (row, out) -> out.put(row.getLong("id"), Rows.user(row)));
  }

  /** Posts by id, gathered as {@link #users}. */
  Future<Map<Long, Model.Post>> posts(Requests.GetPosts req) {
    return perShard(req.ids(), req.viewers(), postRows::read,
        (row, out) -> out.put(row.getLong("id"), Rows.post(row, null)));
  }

  /** Comments live with their post, so a post's newest comments are on the post's shard. */
  Future<Map<Long, List<Model.Comment>>> latestComments(Requests.LatestComments req) {
    return this.<List<Model.Comment>>perShard(req.postIds(), Requests.viewers(req.viewer()),
            (pool, ids) -> pool.preparedQuery(LATEST_COMMENTS).execute(Tuple.of(ids, req.perPost())),
            (row, out) -> out.computeIfAbsent(row.getLong("post_id"), k -> new ArrayList<>()).add(Rows.comment(row, null)))
        .map(found -> {
          Map<Long, List<Model.Comment>> out = new HashMap<>();
          for (long postId : req.postIds()) {
            out.put(postId, found.getOrDefault(postId, List.of()));
          }
          return out;
        });
  }

  /** Likes live with their post: one query per shard of the posts. */
  Future<List<Long>> liked(Requests.LikedPosts req) {
    return this.<Boolean>perShard(req.postIds(), List.of(req.userId()),
            (pool, ids) -> pool.preparedQuery(LIKED).execute(Tuple.of(req.userId(), (Object) ids)),
            (row, out) -> out.put(row.getLong(0), true))
        .map(found -> List.copyOf(found.keySet()));
  }

  /** {@code query}: (the shard's reader, that shard's ids) -> the rows. */
  private <T> Future<Map<Long, T>> perShard(Collection<Long> ids, List<Long> viewers,
                                            BiFunction<Pool, Long[], Future<? extends Iterable<Row>>> query,
                                            BiConsumer<Row, Map<Long, T>> add) {
    if (ids.isEmpty()) {
      return Future.succeededFuture(Map.of());
    }
    List<Future<? extends Iterable<Row>>> queries = new ArrayList<>();
    shards.router().byPhysicalShard(ids).forEach((physical, shardIds) ->
        queries.add(query.apply(shards.reader(physical, viewers), shardIds.toArray(new Long[0]))));
    return Future.all(queries).map(v -> {
      Map<Long, T> out = new HashMap<>();
      for (Future<? extends Iterable<Row>> q : queries) {
        for (Row row : q.result()) {
          add.accept(row, out);
        }
      }
      return out;
    });
  }
}
