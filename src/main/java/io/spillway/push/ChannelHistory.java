package io.spillway.push;

import io.spillway.redis.LuaScript;
import io.vertx.core.Future;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * A channel's recent events in a Redis stream, for clients that resume after a disconnect.
 *
 * <p>Entry ids are {@code <kafka offset>-1}. All of a channel's events are in one partition, so the ids
 * grow with every event, and a second node writing the same event is refused ("equal or smaller") instead
 * of duplicating it: history is written once per event across the cluster without coordination.
 *
 * <p>Each entry also stores {@code p}, the offset of the entry before it. Trimming removes the oldest
 * entries, so a resume from offset {@code s} missed something exactly when the first entry after {@code s}
 * says its predecessor was newer than {@code s}. (Redis 7.0 does not record what trimming removed.)
 */
final class ChannelHistory {
  static final String KEY_PREFIX = "spillway:history:";
  /** KEYS[1] the stream; ARGV: offset, max entries, event JSON, max age in seconds. 1 written, 0 already there. */
  static final LuaScript APPEND = new LuaScript(String.join("\n",
      "local last = redis.call('XREVRANGE', KEYS[1], '+', '-', 'COUNT', 1)",
      "local prev = '-1'",
      "if #last > 0 then prev = string.match(last[1][1], '^(%d+)') end",
      "local added = redis.pcall('XADD', KEYS[1], 'MAXLEN', '~', ARGV[2], ARGV[1] .. '-1', 'e', ARGV[3], 'p', prev)",
      "if type(added) == 'table' and added.err then return 0 end",
      "redis.call('EXPIRE', KEYS[1], ARGV[4])",
      "return 1"));

  /** What a resume gets: the events after {@code since}, or a reset when some of them are gone. */
  record Replay(boolean reset, long latest, List<Entry> entries) {}

  record Entry(long offset, String event) {}

  private final Function<Request, Future<Response>> redis;
  private final int maxEvents;
  private final long maxAgeSeconds;

  ChannelHistory(Function<Request, Future<Response>> redis, int maxEvents, long maxAgeSeconds) {
    this.redis = redis;
    this.maxEvents = maxEvents;
    this.maxAgeSeconds = maxAgeSeconds;
  }

  static String key(String channel) {
    return KEY_PREFIX + channel;
  }

  /** True when this call wrote the entry, false when another node (or an earlier try) already had. */
  Future<Boolean> append(String channel, long offset, String eventJson) {
    return APPEND.run(redis, List.of(key(channel)), List.of(offset, maxEvents, eventJson, maxAgeSeconds))
        .map(r -> r.toInteger() == 1);
  }

  /** The newest offset in the channel's history, -1 when it has none. */
  Future<Long> latest(String channel) {
    return redis.apply(Request.cmd(Command.XREVRANGE).arg(key(channel)).arg("+").arg("-").arg("COUNT").arg(1))
        .map(r -> r == null || r.size() == 0 ? -1L : offsetOf(r.get(0)));
  }

  /**
   * The events after {@code since} (-1: all there are), oldest first. A reset when history no longer
   * reaches back to {@code since}: trimmed past it, expired, or further behind than history holds.
   */
  Future<Replay> after(String channel, long since) {
    int limit = maxEvents + 1000;
    String start = since < 0 ? "-" : "(" + since + "-1";
    return redis.apply(Request.cmd(Command.XRANGE).arg(key(channel)).arg(start).arg("+").arg("COUNT").arg(limit))
        .compose(r -> {
          if (r != null && r.size() > 0) {
            List<Entry> entries = new ArrayList<>(r.size());
            long firstPredecessor = -1;
            for (int i = 0; i < r.size(); i++) {
              Response entry = r.get(i);
              Response fields = entry.get(1);
              String event = null;
              for (int f = 0; f + 1 < fields.size(); f += 2) {
                String name = fields.get(f).toString();
                if (name.equals("e")) {
                  event = fields.get(f + 1).toString();
                } else if (i == 0 && name.equals("p")) {
                  firstPredecessor = Long.parseLong(fields.get(f + 1).toString());
                }
              }
              entries.add(new Entry(offsetOf(entry), event));
            }
            long latest = entries.get(entries.size() - 1).offset();
            if (firstPredecessor > since || entries.size() >= limit) {
              return Future.succeededFuture(new Replay(true, latest, List.of()));
            }
            return Future.succeededFuture(new Replay(false, latest, entries));
          }
          // Nothing after since: caught up (live from since on), or the whole history expired. Not live from
          // the newest entry read now: an event appended since the range was read would count as replayed.
          return latest(channel).map(latest -> latest < 0 && since >= 0
              ? new Replay(true, -1, List.of()) : new Replay(false, since, List.of()));
        });
  }

  private static long offsetOf(Response entry) {
    String id = entry.get(0).toString();
    return Long.parseLong(id.substring(0, id.indexOf('-')));
  }
}
