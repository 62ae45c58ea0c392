package io.spillway.limit;

import com.github.benmanes.caffeine.cache.Cache;
import io.spillway.config.RateLimitPolicy;
import io.spillway.web.Caches;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * The in-process fallback used while Redis is unreachable, for policies with {@code onRedisFailure: local}.
 * All-or-nothing like the script. One lock for all subjects: it only runs while Redis is down, and then a
 * short critical section is cheaper than a timeout. Memory is bounded: idle subjects are swept, and past
 * {@link #MAX_SUBJECTS} the oldest state is forgotten (a forgotten subject starts afresh, as if new).
 *
 * <p>A token bucket's local state starts from what Redis last said about the subject ({@link #remember}),
 * not from a full burst: switching to the fallback does not hand every client a fresh burst.
 */
final class LocalLimiter {
  static final int MAX_SUBJECTS = 100_000;
  private static final int SWEEP_EVERY = 4096;

  private record Entry(Policy policy, int nodes, LocalCounter counter) {}

  private final LongSupplier clockMicros;
  private final Map<String, Entry> counters = new HashMap<>();
  /** Redis's last answer per token-bucket subject: {remaining, at (µs)}; bounded, and useless after a minute. */
  private final Cache<String, long[]> lastFromRedis = Caches.builder().maximumSize(MAX_SUBJECTS)
      .expireAfterWrite(Duration.ofMinutes(1)).build();
  private int sinceSweep;

  LocalLimiter(LongSupplier clockMicros) {
    this.clockMicros = clockMicros;
  }

  synchronized List<Outcome> evaluate(List<Charge> charges, boolean consume, int nodes) {
    long now = clockMicros.getAsLong();
    if (++sinceSweep >= SWEEP_EVERY || counters.size() >= MAX_SUBJECTS) {
      sweep(now);
    }
    List<LocalCounter> chosen = new ArrayList<>(charges.size());
    List<Outcome> outcomes = new ArrayList<>(charges.size());
    boolean admitted = true;
    for (Charge c : charges) {
      LocalCounter counter = counter(c, nodes);
      Outcome o = counter.decide(now, c.cost(), false);
      chosen.add(counter);
      outcomes.add(o);
      admitted &= o.ok() || c.policy().shadow;
    }
    if (admitted && consume) {
      for (int i = 0; i < charges.size(); i++) {
        if (outcomes.get(i).ok()) {
          outcomes.set(i, chosen.get(i).decide(now, charges.get(i).cost(), true));
        }
      }
    }
    return outcomes;
  }

  /** Notes what Redis answered for token-bucket charges, to seed their local state if Redis goes away. */
  void remember(List<Charge> charges, List<Outcome> outcomes) {
    long now = -1;
    for (int i = 0; i < charges.size() && i < outcomes.size(); i++) {
      Charge c = charges.get(i);
      if (c.policy().config instanceof RateLimitPolicy.TokenBucket) {
        if (now < 0) {
          now = clockMicros.getAsLong();
        }
        lastFromRedis.put(c.key(), new long[] {outcomes.get(i).remaining(), now});
      }
    }
  }

  synchronized int size() {
    return counters.size();
  }

  private LocalCounter counter(Charge c, int nodes) {
    Entry e = counters.get(c.key());
    // A reloaded policy is a new object: its state starts afresh rather than under the old numbers.
    if (e == null || e.policy() != c.policy() || e.nodes() != nodes) {
      e = new Entry(c.policy(), nodes, LocalCounter.create(c.policy(), nodes));
      long[] last = lastFromRedis.getIfPresent(c.key());
      if (last != null) {
        e.counter().seed(last[1], last[0], nodes);
      }
      counters.put(c.key(), e);
    }
    return e.counter();
  }

  private void sweep(long now) {
    sinceSweep = 0;
    counters.values().removeIf(e -> e.counter().idle(now));
    if (counters.size() >= MAX_SUBJECTS) {
      counters.clear();
    }
  }
}
