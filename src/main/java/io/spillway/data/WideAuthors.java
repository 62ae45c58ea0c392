package io.spillway.data;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;

import java.util.HashSet;
import java.util.Set;

/**
 * The authors with more followers than {@code feed.fanoutMaxFollowers}, whose posts are not fanned out but
 * merged into each follower's feed at read time. The fan-out adds an author here when it meets such a post
 * (a Redis set shared by the cluster); every node keeps a copy it re-reads every {@code
 * feed.wideAuthorsRefreshMs}, so a new entry reaches every reader within that bound. The set only grows: an
 * author who falls back below the threshold stays merged at read time (their earlier posts were not fanned
 * out, so leaving the set would hide them).
 */
final class WideAuthors {
  private static final String KEY = "spillway:feed:wide";

  private final Redis redis;
  private volatile Set<Long> known = Set.of();

  WideAuthors(Redis redis) {
    this.redis = redis;
  }

  /** The node's copy: at most {@code feed.wideAuthorsRefreshMs} old. */
  Set<Long> known() {
    return known;
  }

  void watch(Vertx vertx, long periodMs) {
    vertx.setPeriodic(0, periodMs, t -> refresh());
  }

  Future<Void> refresh() {
    return redis.send(Request.cmd(Command.SMEMBERS).arg(KEY)).<Void>map(r -> {
      Set<Long> ids = new HashSet<>();
      if (r != null) {
        r.forEach(m -> ids.add(m.toLong()));
      }
      known = Set.copyOf(ids);
      return null;
    }).otherwiseEmpty();
  }

  /** Records {@code authorId} as a high-follower author, in Redis and in this node's copy at once. */
  Future<Void> add(long authorId) {
    if (!known.contains(authorId)) {
      Set<Long> grown = new HashSet<>(known);
      grown.add(authorId);
      known = Set.copyOf(grown);
    }
    return redis.send(Request.cmd(Command.SADD).arg(KEY).arg(authorId)).mapEmpty();
  }
}
