package io.spillway.config;

import io.vertx.core.json.JsonObject;

import java.nio.file.Path;
import java.util.Map;
import java.util.Set;

/** The whole configuration, parsed once at start and validated. */
public record AppConfig(
    String mode,
    HttpConfig http,
    ManagementConfig management,
    DataConfig data,
    RedisConfig redis,
    CacheConfig cache,
    LimitsConfig limits,
    ShedConfig shed,
    KafkaConfig kafka,
    JwtConfig jwt,
    StreamConfig stream,
    int passwordIterations,
    int apiKeyCacheSeconds,
    ObserveConfig observe,
    long shutdownTimeoutMs,
    String logLevel,
    JsonObject tree) {

  public static AppConfig load(Path file, Map<String, String> env) {
    return from(ConfigSource.load(file, env));
  }

  public static AppConfig from(JsonObject tree) {
    ConfigReader root = new ConfigReader(tree, "");
    String mode = root.oneOf("mode", "prod", Set.of("dev", "prod"));
    JwtConfig jwt = JwtConfig.from(root.child("jwt"));
    if (!mode.equals("dev") && jwt.secret().equals(JwtConfig.SAMPLE_SECRET)) {
      throw new ConfigException("jwt.secret: the sample secret is only allowed in dev mode (mode=dev); "
          + "set SPILLWAY_JWT_SECRET to a secret of your own");
    }
    KafkaConfig kafka = KafkaConfig.from(root.child("kafka"));
    if (!mode.equals("dev") && kafka.bootstrapServers().isBlank()) {
      throw new ConfigException("kafka.bootstrapServers: is required outside dev mode (e.g. broker1:9092,broker2:9092)");
    }
    return new AppConfig(
        mode,
        HttpConfig.from(root.child("http")),
        ManagementConfig.from(root.child("management")),
        DataConfig.from(root.child("data")),
        RedisConfig.from(root.child("redis")),
        CacheConfig.from(root.child("cache")),
        LimitsConfig.from(root.child("limits")),
        ShedConfig.from(root.child("shed")),
        kafka,
        jwt,
        StreamConfig.from(root.child("stream"), root.child("outbox")),
        root.child("auth").integer("passwordIterations", 210_000, 1_000, 10_000_000),
        root.child("auth").integer("apiKeyCacheSeconds", 30, 0, 3600),
        ObserveConfig.from(root.child("metrics"), root.child("tracing")),
        root.child("shutdown").number("timeoutMs", 10_000, 0, 600_000),
        root.child("log").oneOf("level", "INFO", Set.of("TRACE", "DEBUG", "INFO", "WARN", "ERROR")),
        tree);
  }

  public boolean devMode() {
    return mode.equals("dev");
  }

  public AppConfig withKafka(KafkaConfig k) {
    return new AppConfig(mode, http, management, data, redis, cache, limits, shed, k, jwt, stream, passwordIterations,
        apiKeyCacheSeconds, observe, shutdownTimeoutMs, logLevel, tree);
  }
}
