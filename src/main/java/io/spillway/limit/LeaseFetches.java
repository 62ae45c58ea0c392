package io.spillway.limit;

import io.spillway.redis.LuaScript;
import io.spillway.web.TurnBatches;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Response;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Coalesces the lease fetches one event loop makes in one turn into one {@code lease.lua} call ({@link
 * TurnBatches}, as for exact checks): one Redis round trip for every key whose lease ran out in that turn.
 * Each lease is still decided alone in the script.
 */
final class LeaseFetches {
  private static final int MAX_BATCH = 128;

  /** What Redis answered for one lease: granted, limit, remaining, reset (ms), retry (ms). */
  record Grant(long granted, long limit, long remaining, long resetMillis, long retryMillis) {}

  private record Fetch(String key, Policy policy, long size, Promise<Grant> promise) {}

  private final Redis redis;
  private final LuaScript script;
  private final TurnBatches<Fetch> batches = new TurnBatches<>(MAX_BATCH, this::run);
  private volatile long timeoutMs;

  LeaseFetches(Redis redis, LuaScript script, long timeoutMs) {
    this.redis = redis;
    this.script = script;
    this.timeoutMs = timeoutMs;
  }

  void timeout(long ms) {
    this.timeoutMs = ms;
  }

  /** Up to {@code size} units of {@code policy} for {@code key}; a negative size gives {@code -size} units back. */
  Future<Grant> submit(String key, Policy policy, long size) {
    Promise<Grant> promise = Promise.promise();
    batches.add(new Fetch(key, policy, size, promise));
    return promise.future();
  }

  private void run(List<Fetch> batch) {
    List<String> keys = new ArrayList<>(batch.size());
    List<String> args = new ArrayList<>(1 + batch.size() * 5);
    args.add(Integer.toString(batch.size()));
    for (Fetch f : batch) {
      keys.add(f.key());
      args.addAll(f.policy().scriptArgs);
      args.add(Long.toString(f.size()));
    }
    script.run(redis::send, keys, args).timeout(timeoutMs, TimeUnit.MILLISECONDS).onComplete(ar -> {
      for (int i = 0; i < batch.size(); i++) {
        Promise<Grant> p = batch.get(i).promise();
        if (ar.failed()) {
          p.fail(ar.cause());
        } else {
          Response r = ar.result();
          int at = i * 5;
          p.complete(new Grant(r.get(at).toLong(), r.get(at + 1).toLong(), r.get(at + 2).toLong(),
              r.get(at + 3).toLong(), r.get(at + 4).toLong()));
        }
      }
    });
  }
}
