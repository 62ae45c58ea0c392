package io.spillway.data;

import io.spillway.config.DataConfig;

import java.nio.charset.StandardCharsets;
import java.util.Collection;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Supplier;
import java.util.zip.CRC32C;

/**
 * Where a row lives. Ids carry their logical shard (bits 10..22), logical shards map onto physical shards
 * by the shard map, and keys without an id (emails, idempotency scopes) are placed by a stable hash. The
 * node's router reads the live map ({@link LiveShardMap}); a router made from the config reads the seed map
 * (what the map is before any shard moved).
 */
public final class ShardRouter {
  private final int logicalShards;
  private final Supplier<ShardMap> map;

  public ShardRouter(DataConfig config) {
    this(config.logicalShards(), seed(config));
  }

  private static Supplier<ShardMap> seed(DataConfig config) {
    ShardMap seed = new ShardMap(0, config.shardMap());
    return () -> seed;
  }

  ShardRouter(int logicalShards, Supplier<ShardMap> map) {
    this.logicalShards = logicalShards;
    this.map = map;
  }

  public static int logicalOf(long id) {
    return (int) ((id >>> 10) & 8191);
  }

  /** The physical shard of an id; an id naming a logical shard this deployment does not have cannot exist. */
  public int physicalOfId(long id) {
    int logical = logicalOf(id);
    if (logical >= logicalShards) {
      throw DataException.notFound("resource " + id);
    }
    return physical(logical);
  }

  public int physical(int logical) {
    if (logical < 0 || logical >= logicalShards) {
      throw new IllegalArgumentException("logical shard " + logical + " is outside 0.." + (logicalShards - 1));
    }
    return map.get().physical(logical);
  }

  /** The logical shard of a key such as an email: CRC32C, stable across JVMs and versions. */
  public int logicalForKey(String key) {
    CRC32C crc = new CRC32C();
    crc.update(key.getBytes(StandardCharsets.UTF_8));
    return (int) (crc.getValue() % logicalShards);
  }

  /** True when an id's logical shard exists in this deployment (so it can be routed). */
  public boolean routable(long id) {
    return id > 0 && logicalOf(id) < logicalShards;
  }

  /** Ids grouped by physical shard, keeping their order within each group. */
  public Map<Integer, List<Long>> byPhysicalShard(Collection<Long> ids) {
    Map<Integer, List<Long>> out = new TreeMap<>();
    for (long id : new LinkedHashSet<>(ids)) {
      out.computeIfAbsent(physicalOfId(id), k -> new ArrayList<>()).add(id);
    }
    return out;
  }
}
