package io.spillway.config;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** No secret of the config reaches a record's text or a config error, however it was mistyped. */
class SecretRedactionTest {
  private static final Path DEV = Path.of("conf", "config.json");
  private static final String JWT = "jwt-secret-a1b2c3d4e5f6g7h8i9j0k1l2m3n4o5p6";
  private static final String PRIVATE_KEY = "-----BEGIN PRIVATE KEY-----private-key-material";
  private static final String ADMIN = "admin-token-a1b2c3d4e5f6g7h8i9j0k1l2m3";
  private static final String PG = "pg-password-a1b2c3";
  private static final String REPLICA = "replica-password-a1b2c3";
  private static final String REDIS = "redis-password-a1b2c3";
  private static final String OTLP = "otlp-key-a1b2c3";

  @Test
  void everyRecordPrintsWithoutItsSecrets() {
    AppConfig c = AppConfig.load(DEV, Map.of(
        "SPILLWAY_JWT_SECRET", JWT,
        "SPILLWAY_JWT_PRIVATE_KEY", PRIVATE_KEY,
        "SPILLWAY_MANAGEMENT_ADMIN_TOKEN", ADMIN,
        "SPILLWAY_DATA_SHARDS", "[{\"database\":\"a\",\"password\":\"" + PG + "\",\"replicas\":[{\"host\":\"r\",\"password\":\""
            + REPLICA + "\"}]}]",
        "SPILLWAY_REDIS_URI", "redis://default:" + REDIS + "@cache:6379/0",
        "SPILLWAY_TRACING_OTLP_ENDPOINT", "https://tenant:" + OTLP + "@collector:4318/v1/traces"));
    String text = c.toString();
    for (String secret : new String[] {JWT, PRIVATE_KEY, ADMIN, PG, REPLICA, REDIS, OTLP}) {
      assertFalse(text.contains(secret), secret + " in " + text);
    }
    assertTrue(text.contains("cache:6379") && text.contains("collector:4318"), text);
    assertTrue(c.management().toString().contains("(redacted)"), c.management().toString());
  }

  @Test
  void aMistypedEnvironmentVariableIsNotEchoed() {
    // Malformed JSON holding a shard password: the message says where, not what.
    String message = error(Map.of("SPILLWAY_DATA_SHARDS", "[{\"database\":\"a\",\"password\":\"" + PG + "\""));
    assertFalse(message.contains(PG), message);
    assertTrue(message.startsWith("SPILLWAY_DATA_SHARDS (data.shards): the value (not shown"), message);
    // A secret of the wrong type, and a number in a secret's place.
    assertFalse(error(Map.of("SPILLWAY_DATA_SHARDS", "[{\"database\":\"a\",\"password\":" + 12345678901L + "}]"))
        .contains("12345678901"));
    assertFalse(error(Map.of("SPILLWAY_JWT_PUBLIC_KEYS", "[\"" + PRIVATE_KEY + "\", 7]")).contains(PRIVATE_KEY));
    // A bad Redis URI is shown without its password.
    String redis = error(Map.of("SPILLWAY_REDIS_URI", "rediss:/user:" + REDIS + "@cache"));
    assertFalse(redis.contains(REDIS), redis);
    String uri = error(Map.of("SPILLWAY_REDIS_URI", "http://user:" + REDIS + "@cache"));
    assertFalse(uri.contains(REDIS), uri);
    assertTrue(uri.contains("http://***@cache"), uri);
    // Non-secrets are still shown, so a typo is easy to find.
    assertTrue(error(Map.of("SPILLWAY_HTTP_PORT", "eighty")).contains("'eighty'"));
  }

  @Test
  void aConfigFileThatIsNotJsonIsNotQuoted(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
    Path file = dir.resolve("bad.json");
    java.nio.file.Files.writeString(file, "{\"jwt\": {\"secret\": \"" + JWT + "\"}, oops}");
    ConfigException e = assertThrows(ConfigException.class, () -> AppConfig.load(file, Map.of()));
    assertFalse(e.getMessage().contains(JWT), e.getMessage());
    assertTrue(e.getMessage().contains("column"), e.getMessage());
  }

  private static String error(Map<String, String> env) {
    ConfigException e = assertThrows(ConfigException.class, () -> AppConfig.load(DEV, env));
    for (Throwable t = e; t != null; t = t.getCause()) {
      assertFalse(t != e && t.getMessage() != null && t.getMessage().contains(PG), "the cause quotes the input");
    }
    return e.getMessage();
  }
}
