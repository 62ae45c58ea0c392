package io.spillway.data;

import io.vertx.core.Future;
import io.vertx.sqlclient.Tuple;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * Writes committed posts into their readers' timelines (docs/feed.md), driven by the event stream: a new post
 * goes into the timeline of each of its author's followers, a page of followers and one pipelined Redis round
 * trip at a time; a deleted post leaves them; a follow brings the followee's newest posts into the follower's
 * timeline, an unfollow takes them out. Only timelines that exist are written (a missing one is rebuilt when
 * it is read). Every step is idempotent, so an event handled twice changes nothing.
 */
final class FanOut {
  private static final String RECENT_POSTS =
      "SELECT id FROM posts WHERE author_id = $1 ORDER BY id DESC LIMIT $2";

  private final Shards shards;
  private final FollowStore follows;
  private final Timelines timelines;
  private final WideAuthors wide;
  private final int maxFollowers;
  private final int pageSize;

  FanOut(Shards shards, FollowStore follows, Timelines timelines, WideAuthors wide, int maxFollowers, int pageSize) {
    this.shards = shards;
    this.follows = follows;
    this.timelines = timelines;
    this.wide = wide;
    this.maxFollowers = maxFollowers;
    this.pageSize = pageSize;
  }

  /**
   * A post created or deleted: the number of follower timelines visited (0 for an author above {@code
   * feed.fanoutMaxFollowers}, who is recorded as a high-follower author instead).
   */
  Future<Integer> post(Requests.FanOutPost req) {
    Timelines.Entry entry = new Timelines.Entry(req.postId(), req.authorId());
    if (req.deleted()) {
      // A high-follower author's posts were never fanned out; a page also drops a post it cannot find.
      return wide.known().contains(req.authorId()) ? Future.succeededFuture(0)
          : eachFollowerPage(req.authorId(), 0, 0, page -> timelines.removeFromAll(page, entry));
    }
    return followerCount(req.authorId()).compose(count -> count > maxFollowers
        ? wide.add(req.authorId()).map(0)
        : eachFollowerPage(req.authorId(), 0, 0, page -> timelines.addToAll(page, entry)));
  }

  /**
   * A follow fills the follower's timeline (when it has one) with the followee's newest posts; an unfollow
   * empties it of them. A high-follower followee's posts stay out, whether this node knows it as one yet or
   * its count says so now: follows and posts are separate events, and a follow handled after the post that
   * found the author over the bound must not copy that post in.
   */
  Future<Void> follow(Requests.FollowChanged req) {
    if (!req.follows()) {
      return timelines.removeAuthor(req.followerId(), req.followeeId());
    }
    if (wide.known().contains(req.followeeId())) {
      return Future.succeededFuture();
    }
    return followerCount(req.followeeId()).compose(count -> count > maxFollowers
        ? wide.add(req.followeeId()).mapEmpty()
        : backfill(req));
  }

  private Future<Void> backfill(Requests.FollowChanged req) {
    return timelines.exists(req.followerId()).compose(exists -> !exists ? Future.succeededFuture()
        : shards.primaryForId(req.followeeId()).preparedQuery(RECENT_POSTS)
            .execute(Tuple.of(req.followeeId(), timelines.cap()))
            .compose(rows -> {
              List<Timelines.Entry> entries = new ArrayList<>(rows.size());
              rows.forEach(r -> entries.add(new Timelines.Entry(r.getLong(0), req.followeeId())));
              return timelines.add(req.followerId(), entries);
            }));
  }

  private Future<Integer> followerCount(long authorId) {
    return shards.primaryForId(authorId).preparedQuery("SELECT follower_count FROM counted_users WHERE id = $1")
        .execute(Tuple.of(authorId))
        .map(rows -> rows.size() == 0 ? 0 : rows.iterator().next().getInteger(0));
  }

  private Future<Integer> eachFollowerPage(long authorId, long after, int done,
                                           Function<List<Long>, Future<Void>> step) {
    return follows.followerPage(authorId, after, pageSize).compose(page -> {
      if (page.isEmpty()) {
        return Future.succeededFuture(done);
      }
      Future<Void> written = step.apply(page);
      return page.size() < pageSize ? written.map(done + page.size())
          : written.compose(v -> eachFollowerPage(authorId, page.get(page.size() - 1), done + page.size(), step));
    });
  }
}
