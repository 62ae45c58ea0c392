package io.spillway.limit;

import io.spillway.limit.Leases.Lease;

import java.util.Arrays;
import java.util.concurrent.ConcurrentHashMap;

/**
 * This node's leases found by subject: per hash tag ({@code user=42}), one slot per policy of the config
 * ({@link Policy#index}). A request charged by several policies on one subject (a user's throttle, quota and
 * per-client limit) finds all its leases with one lookup of a short tag instead of one lookup per policy of a
 * full Redis key, which the request then need not build at all.
 *
 * <p>Only an index: {@link Leases} holds the leases by key and decides what is held. A lease is indexed before
 * it is held and leaves the index when it is dropped there (expired, replaced, or the node stopping); a slot
 * read just before that points at a drained lease, which admits nothing. Slots are replaced whole (copy on
 * write), read without a lock.
 */
final class LeaseIndex {
  private static final Lease[] NONE = new Lease[0];

  private final ConcurrentHashMap<String, Lease[]> bySubject = new ConcurrentHashMap<>();

  /** The leases of subject {@code tag}, by policy index (read with {@link #in}); never null. */
  Lease[] of(String tag) {
    Lease[] leases = bySubject.get(tag);
    return leases == null ? NONE : leases;
  }

  /** The lease of {@code policy} among {@code ofSubject}, or null (none, or one of an earlier config). */
  static Lease in(Lease[] ofSubject, Policy policy) {
    int i = policy.index;
    Lease lease = i < ofSubject.length ? ofSubject[i] : null;
    return lease != null && lease.policy == policy ? lease : null;
  }

  /** {@code lease} is now the one of its policy for subject {@code tag}. */
  void put(String tag, Lease lease) {
    int i = lease.policy.index;
    bySubject.compute(tag, (t, old) -> {
      Lease[] next = Arrays.copyOf(old == null ? NONE : old, Math.max(i + 1, old == null ? 0 : old.length));
      next[i] = lease;
      return next;
    });
  }

  /** {@code lease} (indexed under {@code tag}) has been dropped: its slot empties unless a newer one took it. */
  void remove(String tag, Lease lease) {
    bySubject.computeIfPresent(tag, (t, old) -> {
      int i = lease.policy.index;
      if (i >= old.length || old[i] != lease) {
        return old;
      }
      Lease[] next = old.clone();
      next[i] = null;
      return Arrays.stream(next).allMatch(l -> l == null) ? null : next;
    });
  }

  void clear() {
    bySubject.clear();
  }
}
