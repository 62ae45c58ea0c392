package io.spillway.data;

import io.vertx.core.Future;
import io.vertx.sqlclient.SqlClient;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The feed: posts of everyone the caller follows, newest first. Scatter-gather: the followees are grouped by
 * physical shard, each shard answers one query ({@code author_id = ANY($1)}, keyset on id) in parallel, and
 * the pages are merged by id (ids are time-ordered across shards).
 */
final class FeedReader {
  /**
   * The newest posts of many authors on one shard. {@code author_id = ANY($1) ORDER BY id DESC} cannot use
   * the (author_id, id DESC) index order across authors, so it reads every post of every author and sorts;
   * a prolific author makes that slow. Per author, a LATERAL index scan reads at most {@code $3} rows, so a
   * page costs (authors x limit) index reads at worst, however many posts they have.
   */
  private static final String FEED_PAGE = "SELECT p.* FROM unnest($1::bigint[]) AS a(author_id) "
      + "CROSS JOIN LATERAL (SELECT " + Rows.POST_COLUMNS + " FROM posts WHERE posts.author_id = a.author_id "
      + "AND posts.id < $2 ORDER BY posts.id DESC LIMIT $3) p ORDER BY p.id DESC LIMIT $3";

  private final Shards shards;
  private final FollowStore follows;
  private final KeysetPage<Model.Post> feed;

  FeedReader(Shards shards, FollowStore follows, UserStore users) {
    this.shards = shards;
    this.follows = follows;
    this.feed = new KeysetPage<>(users, FEED_PAGE, "id", "author_id", Rows::post);
  }

  Future<Model.Page<Model.Post>> read(Requests.ReadFeed req) {
    return follows.followees(req.userId()).compose(followees -> {
      if (followees.isEmpty()) {
        return Future.succeededFuture(new Model.Page<>(List.of(), null));
      }
      Map<SqlClient, Object> authorsByShard = new HashMap<>();
      shards.router().byPhysicalShard(followees).forEach((physical, authors) ->
          authorsByShard.put(shards.reader(physical, req.userId()), authors.toArray(new Long[0])));
      return feed.readMerged(authorsByShard, req.before(), req.limit(), req.userId());
    });
  }
}
