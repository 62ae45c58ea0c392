package io.spillway.data;

import io.spillway.redis.CircuitBreaker;
import io.spillway.redis.LuaScript;
import io.vertx.core.Future;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Per-reader timelines in Redis: one sorted set per reader ({@code spillway:feed:tl:{readerId}}), every
 * member with score 0 so the set is ordered by the member's bytes, and each member the post's id zero-padded
 * to 19 digits, a colon and the author's id. Lexical order is then id order (newest last), a page is one
 * {@code ZRANGE ... BYLEX REV LIMIT} from an exclusive cursor, the oldest entries are trimmed by rank, and
 * adding the same post twice changes nothing (replays of the event stream are harmless).
 *
 * <p>Rank 0 holds a sentinel: {@link #READY} when the timeline is complete, {@link #BUILDING} while a rebuild
 * fills it. The fan-out writes only into timelines that exist (either state), so a missing timeline is
 * never half-made by the fan-out; a read of a timeline that is not {@link #READY} answers "missing". A
 * rebuild creates the key first and reads the posts tables after, so a post committed meanwhile is in the
 * read or fanned out into the building timeline (see {@link FeedReader}).
 */
final class Timelines {
  private static final String PREFIX = "spillway:feed:tl:";
  private static final String ZEROS = "0000000000000000000";
  static final String READY = ZEROS + ":0";
  static final String BUILDING = ZEROS + ":b";
  /** The lowest member that is a post: every sentinel sorts below it. */
  private static final String LOWEST_POST = "[" + ZEROS.substring(1) + "1";
  /** A rebuild that dies half-way leaves a building timeline that expires this soon. */
  private static final long BUILD_TTL_SECONDS = 60;

  /** Adds posts to a timeline that exists, keeps the newest {@code cap}; 0 when there is no timeline. */
  private static final LuaScript ADD = new LuaScript("""
      if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
      for i = 2, #ARGV do redis.call('ZADD', KEYS[1], 0, ARGV[i]) end
      redis.call('ZREMRANGEBYRANK', KEYS[1], 1, -(tonumber(ARGV[1]) + 1))
      return 1""");

  /** A page of a ready timeline (and its size, sentinel included), its TTL renewed; nil when not ready. */
  private static final LuaScript READ = new LuaScript("""
      if redis.call('ZSCORE', KEYS[1], '%s') == false then return false end
      redis.call('EXPIRE', KEYS[1], ARGV[3])
      return {redis.call('ZCARD', KEYS[1]),
              redis.call('ZRANGE', KEYS[1], ARGV[1], '%s', 'BYLEX', 'REV', 'LIMIT', 0, ARGV[2])}"""
      .formatted(READY, LOWEST_POST));

  /** Starts a rebuild when there is no timeline (or always, with ARGV[2] = 1): 1 when this call started it. */
  private static final LuaScript BEGIN = new LuaScript("""
      if ARGV[2] == '1' then redis.call('DEL', KEYS[1]) end
      if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
      redis.call('ZADD', KEYS[1], 0, '%s')
      redis.call('EXPIRE', KEYS[1], ARGV[1])
      return 1""".formatted(BUILDING));

  /** Fills a building timeline with the posts read and makes it ready; 0 when it is no longer building. */
  private static final LuaScript FINISH = new LuaScript("""
      if redis.call('ZSCORE', KEYS[1], '%s') == false then return 0 end
      for i = 3, #ARGV do redis.call('ZADD', KEYS[1], 0, ARGV[i]) end
      redis.call('ZREM', KEYS[1], '%s')
      redis.call('ZADD', KEYS[1], 0, '%s')
      redis.call('ZREMRANGEBYRANK', KEYS[1], 1, -(tonumber(ARGV[1]) + 1))
      redis.call('EXPIRE', KEYS[1], ARGV[2])
      return 1""".formatted(BUILDING, BUILDING, READY));

  /** Removes every post of one author (members ending in ":{author}"); the number removed. */
  private static final LuaScript REMOVE_AUTHOR = new LuaScript("""
      local suffix = ARGV[1]
      local removed = 0
      for _, m in ipairs(redis.call('ZRANGE', KEYS[1], 0, -1)) do
        if string.sub(m, -#suffix) == suffix and string.sub(m, 1, 19) ~= '%s' then
          removed = removed + redis.call('ZREM', KEYS[1], m)
        end
      end
      return removed""".formatted(ZEROS));

  /** One post of a timeline. */
  record Entry(long postId, long authorId) {
    String member() {
      return Timelines.member(postId, authorId);
    }
  }

  /** A page of a ready timeline: its entries (newest first) and whether older posts were trimmed away. */
  record Slice(List<Entry> entries, boolean trimmed) {}

  private final Redis redis;
  private final int cap;
  private final long ttlSeconds;
  private final long timeoutMs;
  private final CircuitBreaker breaker = new CircuitBreaker(System::currentTimeMillis, 3, 2_000);

  Timelines(Redis redis, int cap, long ttlSeconds, long timeoutMs) {
    this.redis = redis;
    this.cap = cap;
    this.ttlSeconds = ttlSeconds;
    this.timeoutMs = timeoutMs;
  }

  int cap() {
    return cap;
  }

  static String key(long readerId) {
    return PREFIX + readerId;
  }

  static String member(long postId, long authorId) {
    String id = Long.toString(postId);
    return ZEROS.substring(id.length()) + id + ":" + authorId;
  }

  static Entry entry(String member) {
    int colon = member.indexOf(':');
    return new Entry(Long.parseLong(member.substring(0, colon)), Long.parseLong(member.substring(colon + 1)));
  }

  /** False while Redis is failing: the reader then assembles the feed without asking Redis. */
  boolean available() {
    return breaker.permit() != CircuitBreaker.Permit.SKIP;
  }

  /**
   * Up to {@code count} entries older than {@code before}, newest first; null when the reader has no ready
   * timeline. Fails when Redis does (and counts towards the breaker).
   */
  Future<Slice> read(long readerId, long before, int count) {
    String max = before == Long.MAX_VALUE ? "+" : "(" + member(before, 0).substring(0, 19);
    return guarded(() -> READ.run(redis::send, List.of(key(readerId)), List.of(max, count, ttlSeconds)))
        .map(r -> {
          if (r == null) {
            return null;
          }
          Response members = r.get(1);
          List<Entry> entries = new ArrayList<>(members.size());
          for (int i = 0; i < members.size(); i++) {
            entries.add(entry(members.get(i).toString()));
          }
          return new Slice(entries, r.get(0).toLong() - 1 >= cap);
        });
  }

  /** Starts a rebuild of the reader's timeline: true when this call owns it (nobody else is building it). */
  Future<Boolean> begin(long readerId, boolean replace) {
    return guarded(() -> BEGIN.run(redis::send, List.of(key(readerId)),
        List.of(BUILD_TTL_SECONDS, replace ? 1 : 0))).map(r -> r.toInteger() == 1);
  }

  /** Ends a rebuild with the posts read; false when the timeline stopped building meanwhile. */
  Future<Boolean> finish(long readerId, Collection<Entry> entries) {
    List<Object> args = new ArrayList<>(entries.size() + 2);
    args.add(cap);
    args.add(ttlSeconds);
    entries.forEach(e -> args.add(e.member()));
    return guarded(() -> FINISH.run(redis::send, List.of(key(readerId)), args))
        .map(r -> r.toInteger() == 1);
  }

  /** Adds posts to one reader's timeline when it exists. */
  Future<Void> add(long readerId, Collection<Entry> entries) {
    if (entries.isEmpty()) {
      return Future.succeededFuture();
    }
    List<Object> args = new ArrayList<>(entries.size() + 1);
    args.add(cap);
    entries.forEach(e -> args.add(e.member()));
    return ADD.run(redis::send, List.of(key(readerId)), args).mapEmpty();
  }

  /** Adds one post to the timelines of many readers (those that exist): one pipelined round trip. */
  Future<Void> addToAll(Collection<Long> readers, Entry entry) {
    String member = entry.member();
    List<Request> batch = new ArrayList<>(readers.size());
    for (long reader : readers) {
      batch.add(Request.cmd(Command.EVALSHA).arg(ADD.sha()).arg(1).arg(key(reader)).arg(cap).arg(member));
    }
    return pipelined(batch, ADD);
  }

  /** Removes one post from the timelines of many readers: one pipelined round trip. */
  Future<Void> removeFromAll(Collection<Long> readers, Entry entry) {
    String member = entry.member();
    List<Request> batch = new ArrayList<>(readers.size());
    for (long reader : readers) {
      batch.add(Request.cmd(Command.ZREM).arg(key(reader)).arg(member));
    }
    return pipelined(batch, null);
  }

  /** Whether the reader has a timeline (ready or being built). */
  Future<Boolean> exists(long readerId) {
    return redis.send(Request.cmd(Command.EXISTS).arg(key(readerId))).map(r -> r.toInteger() == 1);
  }

  /** Removes every post of {@code authorId} from the reader's timeline. */
  Future<Void> removeAuthor(long readerId, long authorId) {
    return REMOVE_AUTHOR.run(redis::send, List.of(key(readerId)), List.of(":" + authorId)).mapEmpty();
  }

  private Future<Void> pipelined(List<Request> batch, LuaScript script) {
    if (batch.isEmpty()) {
      return Future.succeededFuture();
    }
    return redis.batch(batch).recover(err -> {
      // Redis restarted or was flushed: load the script once and send the batch again.
      if (script != null && err.getMessage() != null && err.getMessage().contains("NOSCRIPT")) {
        return script.load(redis::send).compose(v -> redis.batch(batch));
      }
      return Future.failedFuture(err);
    }).mapEmpty();
  }

  /** A call the breaker allows, with the Redis timeout; its outcome feeds the breaker. */
  private Future<Response> guarded(Supplier<Future<Response>> call) {
    CircuitBreaker.Permit permit = breaker.permit();
    if (permit == CircuitBreaker.Permit.SKIP) {
      return Future.failedFuture(new IllegalStateException("Redis is failing; timelines are skipped"));
    }
    return call.get().timeout(timeoutMs, TimeUnit.MILLISECONDS)
        .onSuccess(r -> breaker.success())
        .onFailure(err -> breaker.failure(permit));
  }
}
