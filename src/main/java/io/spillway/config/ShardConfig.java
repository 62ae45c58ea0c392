package io.spillway.config;

import java.util.List;

/**
 * One physical shard: a PostgreSQL database, its pool, and optional read replicas. A replica's keys left
 * null (the default) are the shard's own, a rule {@link #from} applies.
 */
public record ShardConfig(
    String host, int port, String database, String user, String password, int poolSize,
    List<ReplicaConfig> replicas) {

  public ShardConfig {
    Check.nonBlank("data.shards[].host", host);
    Check.range("data.shards[].port", port, 1, 65535);
    Check.nonBlank("data.shards[].database", database);
    Check.present("data.shards[].user", user);
    Check.present("data.shards[].password", password);
    Check.range("data.shards[].poolSize", poolSize, 1, 1024);
    replicas = List.copyOf(replicas);
  }

  /** A read replica of a shard. */
  public record ReplicaConfig(String host, int port, String database, String user, String password, int poolSize) {
    public ReplicaConfig {
      Check.nonBlank("data.shards[].replicas[].host", host);
      Check.range("data.shards[].replicas[].port", port, 1, 65535);
      Check.nonBlank("data.shards[].replicas[].database", database);
      Check.present("data.shards[].replicas[].user", user);
      Check.present("data.shards[].replicas[].password", password);
      Check.range("data.shards[].replicas[].poolSize", poolSize, 1, 1024);
    }

    /** Without the password: a record's text may end up in a log line. */
    @Override
    public String toString() {
      return "ReplicaConfig[" + user + "@" + host + ":" + port + "/" + database + ", poolSize=" + poolSize + "]";
    }
  }

  static ShardConfig from(ConfigReader r) {
    String host = r.string("host");
    int port = r.integer("port");
    String database = r.requiredString("database");
    String user = r.string("user");
    String password = r.string("password");
    int poolSize = r.integer("poolSize");
    List<ReplicaConfig> replicas = r.list("replicas", rr -> new ReplicaConfig(
        or(rr.optionalString("host"), host), or(rr.optionalInteger("port"), port),
        or(rr.optionalString("database"), database), or(rr.optionalString("user"), user),
        or(rr.optionalString("password"), password), or(rr.optionalInteger("poolSize"), poolSize)));
    return new ShardConfig(host, port, database, user, password, poolSize, replicas);
  }

  private static <T> T or(T value, T shards) {
    return value != null ? value : shards;
  }

  /** Without the password: a record's text may end up in a log line. */
  @Override
  public String toString() {
    return "ShardConfig[" + user + "@" + describe() + ", poolSize=" + poolSize + ", replicas=" + replicas + "]";
  }

  public String describe() {
    return host + ":" + port + "/" + database;
  }
}
