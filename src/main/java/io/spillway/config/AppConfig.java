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
    ApiConfig api,
    int passwordIterations,
    int apiKeyCacheSeconds,
    ObserveConfig observe,
    long shutdownTimeoutMs,
    long shutdownDrainDelayMs,
    String logLevel) {

  private static final Set<String> MODES = Set.of("dev", "prod");
  private static final Set<String> LOG_LEVELS = Set.of("TRACE", "DEBUG", "INFO", "WARN", "ERROR");

  public AppConfig {
    oneOf("mode", mode, MODES);
    for (Object section : new Object[] {http, management, data, redis, cache, limits, shed, kafka, jwt, stream, api, observe}) {
      if (section == null) {
        throw new IllegalArgumentException("every section of the config is required");
      }
    }
    Check.range("auth.passwordIterations", passwordIterations, 1_000, 10_000_000);
    Check.range("auth.apiKeyCacheSeconds", apiKeyCacheSeconds, 0, 3600);
    Check.range("shutdown.timeoutMs", shutdownTimeoutMs, 0, 600_000);
    Check.range("shutdown.drainDelayMs", shutdownDrainDelayMs, 0, 600_000);
    oneOf("log.level", logLevel, LOG_LEVELS);
    if (!mode.equals("dev") && jwt.secret().equals(JwtConfig.SAMPLE_SECRET)) {
      throw new ConfigException("jwt.secret: the sample secret is only allowed in dev mode (mode=dev); "
          + "set SPILLWAY_JWT_SECRET to a secret of your own");
    }
    if (!mode.equals("dev") && kafka.bootstrapServers().isBlank()) {
      throw new ConfigException("kafka.bootstrapServers",
          "is required outside dev mode (e.g. broker1:9092,broker2:9092)");
    }
  }

  /** Reads {@code file} (null: none) over the shipped defaults, then {@code env}, and validates the result. */
  public static AppConfig load(Path file, Map<String, String> env) {
    return from(ConfigSource.load(file, env));
  }

  /** Parses a merged tree (see {@link ConfigSource}): every key with a default must be in it. */
  public static AppConfig from(JsonObject tree) {
    ConfigReader root = new ConfigReader(tree, "");
    ConfigReader auth = root.child("auth");
    return new AppConfig(
        root.string("mode"),
        HttpConfig.from(root.child("http")),
        ManagementConfig.from(root.child("management")),
        DataConfig.from(root.child("data")),
        RedisConfig.from(root.child("redis")),
        CacheConfig.from(root.child("cache")),
        LimitsConfig.from(root.child("limits")),
        ShedConfig.from(root.child("shed")),
        KafkaConfig.from(root.child("kafka")),
        JwtConfig.from(root.child("jwt")),
        StreamConfig.from(root.child("stream"), root.child("outbox")),
        ApiConfig.from(root.child("api"), root.child("graphql")),
        auth.integer("passwordIterations"),
        auth.integer("apiKeyCacheSeconds"),
        ObserveConfig.from(root.child("metrics"), root.child("tracing")),
        root.child("shutdown").number("timeoutMs"),
        root.child("shutdown").number("drainDelayMs"),
        root.child("log").string("level"));
  }

  public boolean devMode() {
    return mode.equals("dev");
  }

  private static void oneOf(String key, String value, Set<String> allowed) {
    if (!allowed.contains(value)) {
      throw new ConfigException(key, "'" + value + "' is not allowed; allowed values: "
          + String.join(", ", allowed.stream().sorted().toList()));
    }
  }
}
