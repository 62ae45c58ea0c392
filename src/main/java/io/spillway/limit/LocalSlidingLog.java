package io.spillway.limit;

import java.util.ArrayDeque;
import java.util.Iterator;

/** In-process twin of {@code sliding-window-log.lua}: one timestamp per admitted unit, oldest first. */
final class LocalSlidingLog implements LocalCounter {
  private final Policy policy;
  private final long limit;
  private final long span;
  private final ArrayDeque<Long> log = new ArrayDeque<>();

  LocalSlidingLog(Policy policy, long limit, long span) {
    this.policy = policy;
    this.limit = limit;
    this.span = span;
  }

  @Override
  public Outcome decide(long now, int cost, boolean commit) {
    while (!log.isEmpty() && log.peekFirst() <= now - span) {
      log.pollFirst();
    }
    int count = log.size();
    boolean ok = count + cost <= limit;
    if (ok && commit) {
      for (int i = 0; i < cost; i++) {
        log.addLast(now);
      }
      return Outcome.of(policy, limit, cost, true, limit - log.size(), log.peekFirst() + span - now, 0);
    }
    double retry = ok || cost > limit ? 0 : nth(count + cost - limit) + span - now;
    double reset = count == 0 ? 0 : log.peekFirst() + span - now;
    return Outcome.of(policy, limit, cost, ok, Math.max(0, limit - count), reset, retry);
  }

  private long nth(long n) {
    Iterator<Long> it = log.iterator();
    long value = 0;
    for (long i = 0; i < n && it.hasNext(); i++) {
      value = it.next();
    }
    return value;
  }

  @Override
  public boolean idle(long now) {
    return log.isEmpty() || log.peekLast() <= now - span;
  }
}
