package io.spillway.data;

import java.util.Arrays;

/**
 * One version of the shard map: the physical shard (index into {@code data.shards}) of every logical shard.
 * Immutable; a node swaps in a newer one whole, so a request routes by one version from start to end.
 */
public final class ShardMap {
  private final long version;
  private final int[] physical;

  public ShardMap(long version, int[] physical) {
    this.version = version;
    this.physical = physical.clone();
  }

  public long version() {
    return version;
  }

  public int logicalShards() {
    return physical.length;
  }

  public int physical(int logical) {
    return physical[logical];
  }

  /** A copy of the map, one physical index per logical shard. */
  public int[] toArray() {
    return physical.clone();
  }

  @Override
  public String toString() {
    return "ShardMap{version=" + version + ", physical=" + Arrays.toString(physical) + "}";
  }
}
