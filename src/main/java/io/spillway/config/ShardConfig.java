package io.spillway.config;

import java.util.List;

/** One physical shard: a PostgreSQL database, its pool, and optional read replicas. */
public record ShardConfig(
    String host, int port, String database, String user, String password, int poolSize,
    List<ReplicaConfig> replicas) {

  /** A read replica of a shard; credentials default to the primary's. */
  public record ReplicaConfig(String host, int port, String database, String user, String password, int poolSize) {}

  static ShardConfig from(ConfigReader r) {
    String host = r.string("host", "127.0.0.1");
    int port = r.integer("port", 5432, 1, 65535);
    String database = r.requiredString("database");
    String user = r.string("user", "postgres");
    String password = r.string("password", "");
    int poolSize = r.integer("poolSize", 16, 1, 1024);
    List<ReplicaConfig> replicas = r.list("replicas", rr -> new ReplicaConfig(
        rr.string("host", host), rr.integer("port", port, 1, 65535), rr.string("database", database),
        rr.string("user", user), rr.string("password", password), rr.integer("poolSize", poolSize, 1, 1024)));
    return new ShardConfig(host, port, database, user, password, poolSize, replicas);
  }

  public String describe() {
    return host + ":" + port + "/" + database;
  }
}
