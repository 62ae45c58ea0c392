package io.spillway.shed;

import java.util.concurrent.ConcurrentHashMap;

/**
 * Stripe's concurrent-request limiter: at most {@code max} requests in progress per client, so one caller's
 * burst of slow requests cannot fill the node. Only clients with requests in progress have an entry, so the
 * map is bounded by the node's in-flight count, not by the number of clients ever seen.
 */
final class ClientConcurrency {
  /** Keys of anonymous callers, counted by address: {@code addr:<address or IPv6 /64>}. */
  static final String ADDRESS = "addr:";
  private final int max;
  private final int maxPerAddress;
  private final ConcurrentHashMap<String, Integer> inflight = new ConcurrentHashMap<>();

  ClientConcurrency(int max) {
    this(max, max);
  }

  ClientConcurrency(int max, int maxPerAddress) {
    this.max = max;
    this.maxPerAddress = maxPerAddress;
  }

  boolean tryAcquire(String client) {
    int cap = client.startsWith(ADDRESS) ? maxPerAddress : max;
    boolean[] admitted = new boolean[1];
    inflight.compute(client, (k, n) -> {
      int count = n == null ? 0 : n;
      if (count >= cap) {
        return n;
      }
      admitted[0] = true;
      return count + 1;
    });
    return admitted[0];
  }

  void release(String client) {
    inflight.computeIfPresent(client, (k, n) -> n <= 1 ? null : n - 1);
  }

  int inflight(String client) {
    return inflight.getOrDefault(client, 0);
  }

  int clients() {
    return inflight.size();
  }
}
