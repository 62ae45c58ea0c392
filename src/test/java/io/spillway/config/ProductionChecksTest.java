package io.spillway.config;

import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What a production node refuses to start with, and what dev mode lets pass. */
class ProductionChecksTest {
  private static final String SECRET = "a-production-secret-that-is-long-enough-0123";
  private static final String ADMIN = "a-production-admin-token-long-enough-0123";

  private static Map<String, String> prodEnv() {
    Map<String, String> env = new HashMap<>();
    env.put("SPILLWAY_JWT_SECRET", SECRET);
    env.put("SPILLWAY_MANAGEMENT_ADMIN_TOKEN", ADMIN);
    return env;
  }

  private static AppConfig prod(Map<String, String> env) {
    return AppConfig.load(Path.of("conf", "prod.json"), env);
  }

  private static String refusal(Map<String, String> env) {
    return assertThrows(ConfigException.class, () -> prod(env)).getMessage();
  }

  @Test
  void theShippedConfigIsSafeAsItStands() {
    AppConfig c = prod(prodEnv());
    assertEquals("127.0.0.1", c.management().host(), "the management port stays off the network unless told");
    assertTrue(c.management().adminApi());
    assertEquals(AuthConfig.OWASP_PBKDF2_ITERATIONS, c.passwordIterations());
  }

  @Test
  void everySampleSecretOfTheRepositoryIsRefused() {
    for (String sample : Secrets.SAMPLES) {
      Map<String, String> env = prodEnv();
      env.put("SPILLWAY_JWT_SECRET", sample);
      assertTrue(refusal(env).startsWith("jwt.secret: a sample secret"), sample);
      Map<String, String> admin = prodEnv();
      admin.put("SPILLWAY_MANAGEMENT_ADMIN_TOKEN", sample);
      assertTrue(refusal(admin).startsWith("management.adminToken: a sample secret"), sample);
    }
  }

  @Test
  void anHs256SecretIsMeasuredInBytes() {
    Map<String, String> env = prodEnv();
    env.put("SPILLWAY_JWT_SECRET", "x".repeat(31));
    assertEquals("jwt.secret: HS256 needs a secret of at least 32 bytes (e.g. the output of `openssl rand -base64 32`)",
        refusal(env));
    env.put("SPILLWAY_JWT_SECRET", "é".repeat(16));
    assertEquals(32, prod(env).jwt().secret().getBytes(java.nio.charset.StandardCharsets.UTF_8).length);
  }

  @Test
  void theAdminApiNeedsATokenOutsideDevMode() {
    Map<String, String> env = prodEnv();
    env.remove("SPILLWAY_MANAGEMENT_ADMIN_TOKEN");
    assertTrue(refusal(env).startsWith("management.adminToken: is required outside dev mode"), refusal(env));
    env.put("SPILLWAY_MANAGEMENT_ADMIN_API", "false");
    assertEquals(false, prod(env).management().adminApi(), "without the admin API no token is needed");
    env.put("SPILLWAY_MANAGEMENT_ADMIN_API", "true");
    env.put("SPILLWAY_MANAGEMENT_ADMIN_TOKEN", "short");
    assertTrue(refusal(env).startsWith("management.adminToken: must be at least 32 characters"), refusal(env));
  }

  @Test
  void weakPasswordHashesAreForDevModeOnly() {
    Map<String, String> env = prodEnv();
    env.put("SPILLWAY_AUTH_PASSWORD_ITERATIONS", "210000");
    assertTrue(refusal(env).startsWith("auth.passwordIterations: 210000 is below 600000"), refusal(env));
    JsonObject dev = ConfigSource.load(Path.of("conf", "config.json"), Map.of("SPILLWAY_AUTH_PASSWORD_ITERATIONS", "1000"));
    assertEquals(1000, AppConfig.from(dev).passwordIterations());
  }
}
