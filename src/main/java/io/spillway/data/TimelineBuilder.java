package io.spillway.data;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.Tuple;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;

/** Builds a reader's timeline from the posts tables: when it is missing, and on an administrator's request. */
final class TimelineBuilder {
  /** The newest {@code $2} post ids of many authors on one shard: an index-only scan per author. */
  private static final String NEWEST_IDS = "SELECT p.id, p.author_id FROM unnest($1::bigint[]) AS a(author_id) "
      + "CROSS JOIN LATERAL (SELECT id, author_id FROM posts WHERE posts.author_id = a.author_id "
      + "ORDER BY posts.id DESC LIMIT $2) p ORDER BY p.id DESC LIMIT $2";

  private final Shards shards;
  private final FollowStore follows;
  private final Timelines timelines;
  private final WideAuthors wide;
  private final int maxFollowees;
  private final Counter rebuilds;

  TimelineBuilder(Shards shards, FollowStore follows, Timelines timelines, WideAuthors wide, int maxFollowees,
                  MeterRegistry registry) {
    this.shards = shards;
    this.follows = follows;
    this.timelines = timelines;
    this.wide = wide;
    this.maxFollowees = maxFollowees;
    this.rebuilds = Counter.builder("spillway_feed_rebuilds").description("Timelines rebuilt from the posts tables")
        .register(registry);
  }

  /**
   * Rebuilds the reader's timeline from the posts tables: the newest {@code feed.timelineMaxEntries} posts of
   * the reader's follows, high-follower authors left out (they are merged at read time). The key is made
   * before the posts are read, so a post that commits meanwhile is either read here or fanned out into the
   * timeline being built. Answers the number of posts written, or -1 when another rebuild holds (or took over)
   * the timeline.
   */
  Future<Integer> rebuild(long reader, boolean replace) {
    return timelines.begin(reader, replace).compose(owned -> !owned ? Future.succeededFuture(-1)
        : follows.followees(reader, maxFollowees).compose(followees -> {
          Set<Long> wideNow = wide.known();
          List<Long> fanned = followees.stream().filter(a -> !wideNow.contains(a)).toList();
          return newestIds(fanned, timelines.cap());
        }).compose(entries -> timelines.finish(reader, entries).map(done -> {
          if (!done) {
            return -1;
          }
          rebuilds.increment();
          return entries.size();
        })));
  }

  private Future<List<Timelines.Entry>> newestIds(List<Long> authors, int limit) {
    if (authors.isEmpty()) {
      return Future.succeededFuture(List.of());
    }
    List<Future<RowSet<Row>>> perShard = new ArrayList<>();
    shards.router().byPhysicalShard(authors).forEach((physical, ids) -> perShard.add(shards.primary(physical)
        .preparedQuery(NEWEST_IDS).execute(Tuple.of(ids.toArray(new Long[0]), limit))));
    return Future.all(perShard).map(v -> {
      List<Timelines.Entry> out = new ArrayList<>();
      perShard.forEach(f -> f.result().forEach(r -> out.add(new Timelines.Entry(r.getLong(0), r.getLong(1)))));
      out.sort(Comparator.comparingLong(Timelines.Entry::postId).reversed());
      return out.size() > limit ? List.copyOf(out.subList(0, limit)) : out;
    });
  }
}
