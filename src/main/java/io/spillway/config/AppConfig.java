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
    AuthConfig auth,
    ObserveConfig observe,
    FeedConfig feed,
    long shutdownTimeoutMs,
    long shutdownDrainDelayMs,
    String logLevel) {

  private static final Set<String> MODES = Set.of("dev", "prod");
  private static final Set<String> LOG_LEVELS = Set.of("TRACE", "DEBUG", "INFO", "WARN", "ERROR");

  public AppConfig {
    oneOf("mode", mode, MODES);
    for (Object section : new Object[] {http, management, data, redis, cache, limits, shed, kafka, jwt, stream, api, auth, observe, feed}) {
      if (section == null) {
        throw new IllegalArgumentException("every section of the config is required");
      }
    }
    Check.range("shutdown.timeoutMs", shutdownTimeoutMs, 0, 600_000);
    Check.range("shutdown.drainDelayMs", shutdownDrainDelayMs, 0, 600_000);
    oneOf("log.level", logLevel, LOG_LEVELS);
    if (!mode.equals("dev")) {
      productionChecks(management, kafka, jwt, auth);
    }
  }

  /** What dev mode lets pass and a production node must not: sample secrets, an open admin API, weak hashes. */
  private static void productionChecks(ManagementConfig management, KafkaConfig kafka, JwtConfig jwt, AuthConfig auth) {
    if (jwt.algorithm().equals("HS256") && Secrets.SAMPLES.contains(jwt.secret())) {
      throw new ConfigException("jwt.secret", "a sample secret from this repository is only allowed in dev mode "
          + "(mode=dev); set SPILLWAY_JWT_SECRET to a random secret of your own (`openssl rand -base64 32`)");
    }
    if (management.enabled() && management.adminApi() && management.adminToken().isEmpty()) {
      throw new ConfigException("management.adminToken", "is required outside dev mode while management.adminApi "
          + "is true; set SPILLWAY_MANAGEMENT_ADMIN_TOKEN to a random value (`openssl rand -base64 32`), or "
          + "management.adminApi to false");
    }
    if (Secrets.SAMPLES.contains(management.adminToken())) {
      throw new ConfigException("management.adminToken", "a sample secret from this repository is only allowed in dev mode");
    }
    if (auth.passwordIterations() < AuthConfig.OWASP_PBKDF2_ITERATIONS) {
      throw new ConfigException("auth.passwordIterations", auth.passwordIterations() + " is below "
          + AuthConfig.OWASP_PBKDF2_ITERATIONS + " (OWASP's figure for PBKDF2-HMAC-SHA256); fewer are only allowed in dev mode");
    }
    if (kafka.bootstrapServers().isBlank()) {
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
        AuthConfig.from(root.child("auth")),
        ObserveConfig.from(root.child("metrics"), root.child("tracing")),
        FeedConfig.from(root.child("feed")),
        root.child("shutdown").number("timeoutMs"),
        root.child("shutdown").number("drainDelayMs"),
        root.child("log").string("level"));
  }

  /** PBKDF2 iterations of new password hashes ({@code auth.passwordIterations}). */
  public int passwordIterations() {
    return auth.passwordIterations();
  }

  /** How long a node trusts a looked-up API key ({@code auth.apiKeyCacheSeconds}). */
  public int apiKeyCacheSeconds() {
    return auth.apiKeyCacheSeconds();
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
