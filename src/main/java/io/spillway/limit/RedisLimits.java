package io.spillway.limit;

import io.spillway.config.RateLimitPolicy;
import io.spillway.redis.LuaScript;
import io.vertx.core.Future;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Response;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Evaluates a request's charges in Redis: one EVALSHA of the combined script for all of them, so every policy
 * is checked and consumed atomically in one round trip.
 *
 * <p>On Redis Cluster a script may only touch keys of one hash slot. Keys are tagged with their first key part
 * (see {@link Policy#charge}), so policies keyed first by the same subject still share one script. Charges
 * with different tags are evaluated in two phases: a dry run of every slot group in parallel, then, only if
 * all admit, a consuming run of every group. A request rejected in the dry run consumes nothing; a race
 * between the two phases can make a later group reject after an earlier one consumed, which errs on the side
 * of counting too much, never of admitting too much.
 */
final class RedisLimits {
  private static final int VALUES_PER_POLICY = 6;
  private static final int HEADER = 2;

  private final Redis redis;
  private final LuaScript script;
  private final CheckBatches batches = new CheckBatches(this);
  private volatile boolean crossSlotSeen;
  // limits.redisTimeoutMs: one timer per script call, not per request.
  private volatile long timeoutMs;

  RedisLimits(Redis redis, LuaScript script, long timeoutMs) {
    this.redis = redis;
    this.script = script;
    this.timeoutMs = timeoutMs;
  }

  /** A live config update may change {@code limits.redisTimeoutMs}. */
  void timeout(long ms) {
    this.timeoutMs = ms;
  }

  Future<Void> load() {
    return script.load(redis::send);
  }

  /**
   * {@code cluster} is the configured hint; without it, the first CROSSSLOT answer (from Redis or from the
   * Vert.x cluster client) switches this instance to per-slot evaluation, so a forgotten {@code
   * limits.cluster} costs one retried request instead of every multi-subject request failing over.
   */
  Future<List<Outcome>> evaluate(List<Charge> charges, boolean consume, boolean cluster) {
    if (cluster || crossSlotSeen) {
      return charges.size() == 1 ? run(charges, consume) : perSlot(charges, consume);
    }
    return batches.submit(charges, consume).recover(failure -> {
      if (failure.getMessage() == null || !failure.getMessage().contains("CROSSSLOT")) {
        return Future.failedFuture(failure);
      }
      crossSlotSeen = true;
      return perSlot(charges, consume);
    });
  }

  private Future<List<Outcome>> perSlot(List<Charge> charges, boolean consume) {
    Map<String, List<Charge>> groups = new LinkedHashMap<>();
    for (Charge c : charges) {
      groups.computeIfAbsent(c.slotTag(), t -> new ArrayList<>()).add(c);
    }
    if (groups.size() == 1) {
      return run(charges, consume);
    }
    List<List<Charge>> parts = List.copyOf(groups.values());
    return runAll(parts, false).compose(dry -> {
      if (!consume || !admitted(dry)) {
        return Future.succeededFuture(inOrder(charges, parts, dry));
      }
      return runAll(parts, true).map(done -> inOrder(charges, parts, done));
    });
  }

  private Future<List<List<Outcome>>> runAll(List<List<Charge>> parts, boolean consume) {
    List<Future<List<Outcome>>> runs = parts.stream().map(p -> run(p, consume)).toList();
    return Future.all(runs).map(all -> runs.stream().map(Future::result).toList());
  }

  private static boolean admitted(List<List<Outcome>> results) {
    return results.stream().flatMap(List::stream).allMatch(o -> o.ok() || o.policy().shadow);
  }

  private static List<Outcome> inOrder(List<Charge> charges, List<List<Charge>> parts, List<List<Outcome>> results) {
    Map<Charge, Outcome> byCharge = new IdentityHashMap<>();
    for (int g = 0; g < parts.size(); g++) {
      for (int i = 0; i < parts.get(g).size(); i++) {
        byCharge.put(parts.get(g).get(i), results.get(g).get(i));
      }
    }
    return charges.stream().map(byCharge::get).toList();
  }

  /** One request's charges in one script call (Cluster mode: the keys of one call share a slot). */
  private Future<List<Outcome>> run(List<Charge> charges, boolean consume) {
    return runBatch(List.of(charges), consume).map(all -> all.get(0));
  }

  /**
   * Several requests' charges in one script call: Redis decides them one after the other, atomically, exactly
   * as separate calls would, for one round trip and one script run instead of one per request.
   */
  Future<List<List<Outcome>>> runBatch(List<List<Charge>> requests, boolean consume) {
    List<String> keys = new ArrayList<>();
    List<String> args = new ArrayList<>();
    args.add(consume ? "consume" : "dry");
    args.add(Integer.toString(requests.size()));
    for (List<Charge> charges : requests) {
      args.add(Integer.toString(charges.size()));
      for (Charge c : charges) {
        Policy p = c.policy();
        keys.add(c.key());
        args.addAll(p.scriptArgs);
        args.add(Integer.toString(c.cost()));
        args.add(p.shadow ? "1" : "0");
      }
    }
    return script.run(redis::send, keys, args).timeout(timeoutMs, TimeUnit.MILLISECONDS).map(reply -> {
      List<List<Outcome>> out = new ArrayList<>(requests.size());
      int at = 0;
      for (List<Charge> charges : requests) {
        out.add(parse(charges, reply, at));
        at += HEADER + charges.size() * VALUES_PER_POLICY;
      }
      return out;
    });
  }

  /**
   * A policy as {@code evaluate.lua} takes it: the algorithm's name and its three numbers {@code a b c}, in
   * the units its script reads (windows in milliseconds, a quota's period by name, unused ones "0"). Made
   * once per compiled policy ({@link Policy#scriptArgs}), not per request.
   */
  static List<String> scriptArgs(RateLimitPolicy policy) {
    String algorithm = policy.algorithm().configName();
    if (policy instanceof RateLimitPolicy.TokenBucket t) {
      return List.of(algorithm, BigDecimal.valueOf(t.rate()).toPlainString(), Long.toString(t.burst()), "0");
    }
    if (policy instanceof RateLimitPolicy.Gcra g) {
      return List.of(algorithm, Long.toString(g.limit()), Long.toString(g.windowSeconds() * 1000),
          Long.toString(g.burst()));
    }
    if (policy instanceof RateLimitPolicy.Quota q) {
      return List.of(algorithm, Long.toString(q.limit()), q.period().configName(), "0");
    }
    if (policy instanceof RateLimitPolicy.FixedWindow f) {
      return List.of(algorithm, Long.toString(f.limit()), Long.toString(f.windowSeconds() * 1000), "0");
    }
    if (policy instanceof RateLimitPolicy.SlidingWindowLog l) {
      return List.of(algorithm, Long.toString(l.limit()), Long.toString(l.windowSeconds() * 1000), "0");
    }
    if (policy instanceof RateLimitPolicy.SlidingWindowCounter s) {
      return List.of(algorithm, Long.toString(s.limit()), Long.toString(s.windowSeconds() * 1000), "0");
    }
    throw new IllegalStateException("no script encoding for " + policy.algorithm());
  }

  private static List<Outcome> parse(List<Charge> charges, Response reply, int start) {
    List<Outcome> out = new ArrayList<>(charges.size());
    for (int i = 0; i < charges.size(); i++) {
      int at = start + HEADER + i * VALUES_PER_POLICY;
      out.add(new Outcome(
          charges.get(i).policy(),
          reply.get(at).toInteger() == 1,
          Outcome.Code.of(reply.get(at + 1).toLong()),
          reply.get(at + 2).toLong(),
          reply.get(at + 3).toLong(),
          reply.get(at + 4).toLong(),
          reply.get(at + 5).toLong()));
    }
    return out;
  }
}
