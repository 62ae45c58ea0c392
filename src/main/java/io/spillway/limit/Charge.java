package io.spillway.limit;

/**
 * One policy applied to one request: the Redis key holding the subject's state, the hash tag that decides
 * the key's Redis Cluster slot, and what the request costs.
 */
record Charge(Policy policy, String key, String slotTag, int cost) {}
