package io.spillway.config;

import io.vertx.core.json.JsonArray;

import java.util.List;

/**
 * The sharded data layer. {@code logicalShards} logical shards map onto the physical {@code shards}: by the
 * explicit {@code shardMap} (one physical index per logical shard) when given; {@code data.shardMap} null (the
 * default) spreads them evenly in ranges, a rule {@link #from} applies.
 *
 * <p>Every connection runs with {@code statementTimeoutMs} and {@code idleInTransactionTimeoutMs} (0: off), so a
 * query does not run on after its caller gave up. Each pool has a breaker: after {@code
 * breakerFailureThreshold} consecutive connection failures it fails requests at once for {@code
 * breakerOpenMs}, then lets one request probe the database.
 *
 * <p>Each replica's replay position is read every {@code replicaPositionRefreshMs} (and when a read with a
 * consistency token found every replica behind): how soon such reads return to the replicas.
 *
 * <p>{@code shardMap} only seeds the live map kept on the first shard (docs/resharding.md): once a node has
 * started, moves change the map and this value is no longer read.
 */
public record DataConfig(
    int instances, int logicalShards, long readYourWritesMs, long replicaPositionRefreshMs, List<ShardConfig> shards,
    int[] shardMap,
    long statementTimeoutMs, long idleInTransactionTimeoutMs, int breakerFailureThreshold, long breakerOpenMs,
    ReshardConfig resharding) {

  public DataConfig {
    Check.range("data.instances", instances, 1, 64);
    Check.range("data.logicalShards", logicalShards, 1, 4096);
    Check.range("data.readYourWritesMs", readYourWritesMs, 0, 3_600_000);
    Check.range("data.replicaPositionRefreshMs", replicaPositionRefreshMs, 10, 60_000);
    Check.range("data.statementTimeoutMs", statementTimeoutMs, 0, 3_600_000);
    Check.range("data.idleInTransactionTimeoutMs", idleInTransactionTimeoutMs, 0, 3_600_000);
    Check.range("data.breaker.failureThreshold", breakerFailureThreshold, 1, 10_000);
    Check.range("data.breaker.openMs", breakerOpenMs, 10, 600_000);
    Check.present("data.resharding", resharding);
    if (shards == null || shards.isEmpty()) {
      throw new ConfigException("data.shards", "at least one shard is required");
    }
    shards = List.copyOf(shards);
    if (shards.size() > logicalShards) {
      throw new ConfigException("data.shards", shards.size() + " physical shards but only " + logicalShards
          + " logical shards; allowed: at most data.logicalShards");
    }
    if (shardMap == null || shardMap.length != logicalShards) {
      throw new ConfigException("data.shardMap", "must list exactly data.logicalShards (" + logicalShards
          + ") physical shard indexes");
    }
    shardMap = shardMap.clone();
    for (int i = 0; i < shardMap.length; i++) {
      if (shardMap[i] < 0 || shardMap[i] >= shards.size()) {
        throw new ConfigException("data.shardMap[" + i + "]", shardMap[i] + " is not a shard index; allowed: 0.."
            + (shards.size() - 1));
      }
    }
  }

  static DataConfig from(ConfigReader r) {
    int logical = r.integer("logicalShards");
    List<ShardConfig> shards = r.list("shards", ShardConfig::from);
    int[] map;
    if (r.has("shardMap")) {
      map = explicitMap(r, shards.size());
    } else {
      // Even ranges: logical shard i lives on physical shard i * shards / logical.
      map = new int[logical];
      for (int i = 0; i < logical && !shards.isEmpty(); i++) {
        map[i] = (int) ((long) i * shards.size() / logical);
      }
    }
    ConfigReader breaker = r.child("breaker");
    return new DataConfig(r.integer("instances"), logical, r.number("readYourWritesMs"),
        r.number("replicaPositionRefreshMs"), shards, map,
        r.number("statementTimeoutMs"), r.number("idleInTransactionTimeoutMs"), breaker.integer("failureThreshold"),
        breaker.number("openMs"), ReshardConfig.from(r.child("resharding")));
  }

  private static int[] explicitMap(ConfigReader r, int physical) {
    if (!(r.raw().getValue("shardMap") instanceof JsonArray array)) {
      throw new ConfigException(r.key("shardMap"), "must be an array of physical shard indexes");
    }
    int[] map = new int[array.size()];
    for (int i = 0; i < map.length; i++) {
      if (!(array.getValue(i) instanceof Integer idx)) {
        throw new ConfigException(r.key("shardMap") + "[" + i + "]", array.getValue(i)
            + " is not a shard index; allowed: 0.." + (physical - 1));
      }
      map[i] = idx;
    }
    return map;
  }
}
