package io.spillway.limit;

/**
 * One policy applied to one request: the subject's hash tag (the first key part, which decides the key's Redis
 * Cluster slot), the Redis key holding the subject's state, and what the request costs.
 *
 * <p>The key is built when something asks for it: a request decided from this node's leases never needs it
 * (they are found by tag and policy), so the common case builds no key string and hashes none.
 */
final class Charge {
  private final Policy policy;
  private final String slotTag;
  private final int cost;
  /** The key parts after the tag ({@code :part:part}), or "" when the tag is the whole subject. */
  private final String rest;
  private final String keyPrefix;
  private String key;

  private Charge(Policy policy, String slotTag, String keyPrefix, String rest, int cost) {
    this.policy = policy;
    this.slotTag = slotTag;
    this.keyPrefix = keyPrefix;
    this.rest = rest;
    this.cost = cost;
  }

  /** A charge on the key {@code keyPrefix:{slotTag}:<policy's suffix>rest}, built when first asked for. */
  static Charge on(Policy policy, String keyPrefix, String slotTag, String rest, int cost) {
    return new Charge(policy, slotTag, keyPrefix, rest, cost);
  }

  Policy policy() {
    return policy;
  }

  String slotTag() {
    return slotTag;
  }

  int cost() {
    return cost;
  }

  /**
   * The subject a lease of this charge is found by ({@link LeaseIndex}): the tag, when it and the policy alone
   * name the key; null when the key has more parts, so the lease is found by key.
   */
  String subject() {
    return rest.isEmpty() ? slotTag : null;
  }

  String key() {
    String k = key;
    if (k == null) {
      k = policy.key(keyPrefix, slotTag, rest);
      key = k;
    }
    return k;
  }

  @Override
  public String toString() {
    return "Charge[" + policy.name + " " + key() + " cost " + cost + "]";
  }
}
