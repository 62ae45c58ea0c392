package io.spillway.data;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The feed: posts of everyone the caller follows, newest first. Hybrid fan-out (docs/feed.md): a page is one
 * range of the reader's timeline in Redis ({@link Timelines}, written by the fan-out), plus the newest posts of
 * the few high-follower authors the reader follows ({@link WideAuthors}, not fanned out), merged by id; the
 * posts are then read in one query per shard and their authors in one more. Before anything is shown, one
 * query on the reader's shard checks that the reader still follows each author on the page, so an unfollow
 * takes effect at once, whatever the timeline still holds.
 *
 * <p>Without a timeline (never built, expired, lost, or past its oldest entry) or while Redis fails, the page
 * is assembled at read time from the posts tables, as before the timelines existed, and a missing timeline is
 * rebuilt in the background.
 */
final class FeedReader {
  private static final Logger LOG = LoggerFactory.getLogger(FeedReader.class);
  /**
   * The newest posts of many authors on one shard. {@code author_id = ANY($1) ORDER BY id DESC} cannot use
   * the (author_id, id DESC) index order across authors, so it reads every post of every author and sorts;
   * a prolific author makes that slow. Per author, a LATERAL index-only scan reads at most {@code $3} ids, so
   * a page costs (authors x limit) index reads at worst, however many posts they have; only the page's own
   * posts are then read with their counts.
   */
  private static final String FEED_PAGE = "SELECT " + Rows.POST_COLUMNS + " FROM counted_posts WHERE id = ANY(ARRAY("
      + "SELECT p.id FROM unnest($1::bigint[]) AS a(author_id) CROSS JOIN LATERAL (SELECT id FROM posts "
      + "WHERE posts.author_id = a.author_id AND posts.id < $2 ORDER BY posts.id DESC LIMIT $3) p "
      + "ORDER BY p.id DESC LIMIT $3)) ORDER BY id DESC";
  private static final String STILL_FOLLOWED =
      "SELECT followee_id FROM following WHERE follower_id = $1 AND followee_id = ANY($2)";
  private static final String POSTS = "SELECT " + Rows.POST_COLUMNS + " FROM counted_posts WHERE id = ANY($1)";
  private static final Comparator<Model.Post> NEWEST_FIRST = Comparator.comparingLong(Model.Post::id).reversed();

  private final Shards shards;
  private final FollowStore follows;
  private final UserStore users;
  private final Timelines timelines;
  private final WideAuthors wide;
  private final int maxFollowees;
  private final KeysetPage<Model.Post> feed;
  private final Set<Long> rebuilding = new HashSet<>();
  private final Counter fromTimeline;
  private final Counter assembled;
  private final TimelineBuilder builder;

  /** {@code timelines} (and {@code builder}) null: every page is assembled at read time. */
  FeedReader(Shards shards, FollowStore follows, UserStore users, Timelines timelines, TimelineBuilder builder,
             WideAuthors wide, int maxFollowees, MeterRegistry registry) {
    this.shards = shards;
    this.follows = follows;
    this.users = users;
    this.timelines = timelines;
    this.wide = wide;
    this.maxFollowees = maxFollowees;
    this.feed = new KeysetPage<>(users, FEED_PAGE, "id", "author_id", Rows::post);
    this.fromTimeline = reads(registry, "timeline");
    this.assembled = reads(registry, "assembled");
    this.builder = builder;
  }

  private static Counter reads(MeterRegistry registry, String path) {
    return Counter.builder("spillway_feed_reads")
        .description("Feed pages by how they were read: from the reader's timeline, or assembled from the posts tables")
        .tag("path", path).register(registry);
  }

  Future<Model.Page<Model.Post>> read(Requests.ReadFeed req) {
    if (timelines == null || !timelines.available()) {
      return assemble(req);
    }
    int want = rangeOf(req.limit());
    return timelines.read(req.userId(), req.before(), want).transform(ar -> {
      if (ar.failed()) {
        return assemble(req);
      }
      Timelines.Slice slice = ar.result();
      if (slice == null) {
        rebuildInBackground(req.userId());
        return assemble(req);
      }
      if (slice.entries().size() < want && slice.trimmed()) {
        return assemble(req); // past the oldest post the timeline keeps
      }
      fromTimeline.increment();
      return merged(req, slice.entries());
    });
  }

  /** Entries read for a page: twice the page, as entries of authors the reader no longer follows are dropped. */
  private static int rangeOf(int limit) {
    return limit * 2 + 1;
  }

  /** One page from the timeline's entries and the followed high-follower authors' newest posts. */
  private Future<Model.Page<Model.Post>> merged(Requests.ReadFeed req, List<Timelines.Entry> entries) {
    Set<Long> wideNow = wide.known();
    Set<Long> authors = new HashSet<>(wideNow);
    entries.forEach(e -> authors.add(e.authorId()));
    if (authors.isEmpty()) {
      return Future.succeededFuture(new Model.Page<>(List.of(), null));
    }
    return stillFollowed(req.userId(), authors).compose(followed -> {
      List<Long> wideFollowed = new ArrayList<>();
      for (long a : followed) {
        if (wideNow.contains(a)) {
          wideFollowed.add(a);
        }
      }
      return newestOf(wideFollowed, req.before(), req.limit() + 1, req.userId()).compose(widePosts -> {
        // When the range read was full, the timeline goes on below its oldest entry: nothing older than that
        // entry is shown on this page (the next page starts there), or a post could be skipped or shown twice.
        boolean rangeFull = entries.size() == rangeOf(req.limit());
        long floor = rangeFull ? entries.get(entries.size() - 1).postId() : 0;
        Map<Long, Model.Post> known = new HashMap<>();
        widePosts.forEach(p -> known.put(p.id(), p));
        Set<Long> candidates = new HashSet<>(known.keySet());
        for (Timelines.Entry e : entries) {
          if (followed.contains(e.authorId())) {
            candidates.add(e.postId());
          }
        }
        List<Long> taken = candidates.stream().filter(id -> id >= floor).sorted(Comparator.reverseOrder())
            .limit(req.limit() + 1L).toList();
        boolean more = taken.size() > req.limit();
        List<Long> shown = more ? taken.subList(0, req.limit()) : taken;
        Long next = more ? shown.get(shown.size() - 1) : rangeFull ? Long.valueOf(floor) : null;
        List<Long> missing = shown.stream().filter(id -> !known.containsKey(id)).toList();
        return posts(missing, req.userId()).compose(found -> {
          known.putAll(found);
          List<Model.Post> items = new ArrayList<>(shown.size());
          for (long id : shown) {
            Model.Post p = known.get(id);
            if (p != null) { // deleted since it was fanned out
              items.add(p);
            }
          }
          return withAuthors(items, req.userId()).map(withRefs -> new Model.Page<>(withRefs, next));
        });
      });
    });
  }

  /** Which of {@code authors} the reader follows now: one query on the reader's shard. */
  private Future<Set<Long>> stillFollowed(long reader, Collection<Long> authors) {
    return shards.readerForId(reader, reader).preparedQuery(STILL_FOLLOWED)
        .execute(Tuple.of(reader, (Object) authors.toArray(new Long[0])))
        .map(rows -> {
          Set<Long> out = new HashSet<>();
          rows.forEach(r -> out.add(r.getLong(0)));
          return out;
        });
  }

  /** The newest {@code limit} posts before {@code before} of a few authors: one query per shard. */
  private Future<List<Model.Post>> newestOf(List<Long> authors, long before, int limit, long viewer) {
    if (authors.isEmpty()) {
      return Future.succeededFuture(List.of());
    }
    List<Future<RowSet<Row>>> perShard = new ArrayList<>();
    shards.router().byPhysicalShard(authors).forEach((physical, ids) -> perShard.add(shards.reader(physical, viewer)
        .preparedQuery(FEED_PAGE).execute(Tuple.of(ids.toArray(new Long[0]), before, limit))));
    return Future.all(perShard).map(v -> {
      List<Model.Post> out = new ArrayList<>();
      perShard.forEach(f -> f.result().forEach(r -> out.add(Rows.post(r, null))));
      return out;
    });
  }

  /** Posts by id: one query per shard. */
  private Future<Map<Long, Model.Post>> posts(List<Long> ids, long viewer) {
    if (ids.isEmpty()) {
      return Future.succeededFuture(Map.of());
    }
    List<Future<RowSet<Row>>> perShard = new ArrayList<>();
    shards.router().byPhysicalShard(ids).forEach((physical, shardIds) -> perShard.add(shards.reader(physical, viewer)
        .preparedQuery(POSTS).execute(Tuple.of(shardIds.toArray(new Long[0])))));
    return Future.all(perShard).map(v -> {
      Map<Long, Model.Post> out = new HashMap<>();
      perShard.forEach(f -> f.result().forEach(r -> out.put(r.getLong("id"), Rows.post(r, null))));
      return out;
    });
  }

  private Future<List<Model.Post>> withAuthors(List<Model.Post> posts, long viewer) {
    List<Long> authors = posts.stream().map(Model.Post::authorId).toList();
    return users.refs(authors, viewer).map(refs -> {
      List<Model.Post> out = new ArrayList<>(posts.size());
      for (Model.Post p : posts) {
        out.add(new Model.Post(p.id(), p.authorId(), p.text(), p.likeCount(), p.commentCount(), p.createdAt(),
            KeysetPage.ref(refs, p.authorId())));
      }
      out.sort(NEWEST_FIRST);
      return out;
    });
  }

  /**
   * The page assembled at read time: the reader's follows (the {@code feed.maxFollowees} most recent), grouped
   * by shard, one query per shard, merged by id. Its cost grows with the number of follows.
   */
  private Future<Model.Page<Model.Post>> assemble(Requests.ReadFeed req) {
    assembled.increment();
    return follows.followees(req.userId(), maxFollowees).compose(followees -> {
      if (followees.isEmpty()) {
        return Future.succeededFuture(new Model.Page<>(List.of(), null));
      }
      Map<SqlClient, Object> authorsByShard = new HashMap<>();
      shards.router().byPhysicalShard(followees).forEach((physical, authors) ->
          authorsByShard.put(shards.reader(physical, req.userId()), authors.toArray(new Long[0])));
      return feed.readMerged(authorsByShard, req.before(), req.limit(), req.userId());
    });
  }

  /** One rebuild per reader at a time on this verticle; Redis keeps two nodes from building the same one. */
  private void rebuildInBackground(long reader) {
    if (rebuilding.add(reader)) {
      builder.rebuild(reader, false)
          .onFailure(err -> LOG.debug("rebuilding the timeline of {} failed: {}", reader, String.valueOf(err)))
          .onComplete(ar -> rebuilding.remove(reader));
    }
  }
}
