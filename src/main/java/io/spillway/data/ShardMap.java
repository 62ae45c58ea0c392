package io.spillway.data;

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

  public int physical(int logical) {
    return physical[logical];
  }
}
