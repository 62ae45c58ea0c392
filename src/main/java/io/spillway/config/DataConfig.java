package io.spillway.config;

import java.util.List;

/**
 * The sharded data layer. {@code logicalShards} logical shards map onto the physical {@code shards}: by the
 * explicit {@code shardMap} (one physical index per logical shard) when given, else spread evenly in ranges.
 */
public record DataConfig(
    int instances, int logicalShards, long readYourWritesMs, List<ShardConfig> shards, int[] shardMap) {

  static DataConfig from(ConfigReader r) {
    int instances = r.integer("instances", 1, 1, 64);
    int logical = r.integer("logicalShards", 1024, 1, 4096);
    List<ShardConfig> shards = r.list("shards", ShardConfig::from);
    if (shards.isEmpty()) {
      throw new ConfigException(r.key("shards") + ": at least one shard is required");
    }
    if (shards.size() > logical) {
      throw new ConfigException(r.key("shards") + ": " + shards.size() + " physical shards but only "
          + logical + " logical shards; allowed: at most data.logicalShards");
    }
    int[] map = new int[logical];
    if (r.has("shardMap")) {
      var array = r.raw().getJsonArray("shardMap");
      if (array == null || array.size() != logical) {
        throw new ConfigException(r.key("shardMap") + ": must list exactly data.logicalShards (" + logical
            + ") physical shard indexes");
      }
      for (int i = 0; i < logical; i++) {
        Object v = array.getValue(i);
        if (!(v instanceof Integer idx) || idx < 0 || idx >= shards.size()) {
          throw new ConfigException(r.key("shardMap") + "[" + i + "]: " + v + " is not a shard index; allowed: 0.."
              + (shards.size() - 1));
        }
        map[i] = idx;
      }
    } else {
      for (int i = 0; i < logical; i++) {
        map[i] = (int) ((long) i * shards.size() / logical);
      }
    }
    return new DataConfig(instances, logical, r.number("readYourWritesMs", 5000, 0, 3_600_000), shards, map);
  }
}
