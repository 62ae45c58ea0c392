package io.spillway.config;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AppConfigTest {
  private static final Path DEV = Path.of("conf", "config.json");

  @Test
  void envVariableNamesFollowTheKeyPath() {
    assertEquals("SPILLWAY_HTTP_PORT", ConfigSource.envName("http.port"));
    assertEquals("SPILLWAY_HTTP_MAX_BODY_BYTES", ConfigSource.envName("http.maxBodyBytes"));
    assertEquals("SPILLWAY_HTTP_ACCESS_LOG_SAMPLE_RATE", ConfigSource.envName("http.accessLog.sampleRate"));
  }

  @Test
  void devConfigLoadsWithTwoShardsAndTheSampleSecret() {
    AppConfig c = AppConfig.load(DEV, Map.of());
    assertEquals("dev", c.mode());
    assertEquals(8080, c.http().port());
    assertEquals(2, c.data().shards().size());
    assertEquals(1024, c.data().shardMap().length);
    assertEquals(0, c.data().shardMap()[0]);
    assertEquals(1, c.data().shardMap()[1023]);
    assertEquals(1 << 20, c.http().maxBodyBytes());
  }

  @Test
  void environmentOverridesAnyKey() {
    AppConfig c = AppConfig.load(DEV, Map.of(
        "SPILLWAY_HTTP_PORT", "9090",
        "SPILLWAY_HTTP_ACCESS_LOG_SAMPLE_RATE", "0.25",
        "SPILLWAY_REDIS_URI", "redis://cache:6379",
        "SPILLWAY_DATA_SHARDS", "[{\"database\":\"a\"},{\"database\":\"b\"},{\"database\":\"c\"}]",
        "SPILLWAY_HTTP_INSTANCES", "3"));
    assertEquals(9090, c.http().port());
    assertEquals(0.25, c.http().accessLogSampleRate());
    assertEquals("redis://cache:6379", c.redis().uri());
    assertEquals(3, c.data().shards().size());
    assertEquals(3, c.http().instances());
  }

  @Test
  void theAccessLogShipsSampledWithASlowRequestThreshold() {
    AppConfig c = AppConfig.load(DEV, Map.of());
    assertEquals(0.01, c.http().accessLogSampleRate());
    assertEquals(1000, c.http().accessLogSlowMs());
    assertEquals(250, AppConfig.load(DEV, Map.of("SPILLWAY_HTTP_ACCESS_LOG_SLOW_MS", "250")).http().accessLogSlowMs());
    assertMessage(Map.of("SPILLWAY_HTTP_ACCESS_LOG_SLOW_MS", "-1"), "http.accessLog.slowMs", "0..3600000");
  }

  @Test
  void instancesDefaultToTheNumberOfCores() {
    JsonObject tree = ConfigSource.load(DEV, Map.of());
    tree.getJsonObject("http").putNull("instances");
    assertEquals(Runtime.getRuntime().availableProcessors(), AppConfig.from(tree).http().instances());
  }

  @Test
  void badValuesNameTheKeyAndTheAllowedValues() {
    assertMessage(Map.of("SPILLWAY_HTTP_PORT", "70000"), "http.port", "0..65535");
    assertMessage(Map.of("SPILLWAY_HTTP_INSTANCES", "0"), "http.instances", "1..1024");
    assertMessage(Map.of("SPILLWAY_JWT_ALGORITHM", "HS512"), "jwt.algorithm", "ES256, HS256, RS256");
    assertMessage(Map.of("SPILLWAY_HTTP_PORT", "eighty"), "SPILLWAY_HTTP_PORT", "not a valid number");
    assertMessage(Map.of("SPILLWAY_MODE", "staging"), "mode", "dev, prod");
    assertMessage(Map.of("SPILLWAY_DATA_SHARDS", "[]"), "data.shards", "at least one");
    assertMessage(Map.of("SPILLWAY_DATA_SHARDS", "[{\"port\":5432}]"), "data.shards[0].database", "required");
  }

  @Test
  void theSampleSecretIsRefusedOutsideDevMode() {
    ConfigException e = assertThrows(ConfigException.class, () -> AppConfig.load(DEV,
        Map.of("SPILLWAY_MODE", "prod", "SPILLWAY_KAFKA_BOOTSTRAP_SERVERS", "kafka:9092")));
    assertTrue(e.getMessage().contains("jwt.secret"), e.getMessage());
  }

  @Test
  void productionNeedsKafkaAndARealSecret() {
    JsonObject prod = ConfigSource.load(Path.of("conf", "prod.json"),
        Map.of("SPILLWAY_JWT_SECRET", "a-production-secret-that-is-long-enough-0123",
            "SPILLWAY_MANAGEMENT_ADMIN_TOKEN", "a-production-admin-token-long-enough-0123"));
    AppConfig c = AppConfig.from(prod);
    assertEquals("prod", c.mode());
    assertEquals("kafka:9092", c.kafka().bootstrapServers());
    prod.getJsonObject("kafka").put("bootstrapServers", "");
    ConfigException e = assertThrows(ConfigException.class, () -> AppConfig.from(prod));
    assertTrue(e.getMessage().contains("kafka.bootstrapServers"), e.getMessage());
  }

  @Test
  void explicitShardMapIsValidated() {
    JsonObject tree = ConfigSource.load(DEV, Map.of());
    tree.getJsonObject("data").put("logicalShards", 4).put("shardMap", new JsonArray().add(0).add(1).add(1).add(7));
    ConfigException e = assertThrows(ConfigException.class, () -> AppConfig.from(tree));
    assertTrue(e.getMessage().contains("data.shardMap[3]") && e.getMessage().contains("0..1"), e.getMessage());
    tree.getJsonObject("data").put("shardMap", new JsonArray().add(0).add(1).add(1).add(0));
    assertEquals(1, AppConfig.from(tree).data().shardMap()[2]);
  }

  @Test
  void aKeyMissingFromTheMergedTreeFailsLoudly() {
    JsonObject tree = ConfigSource.load(DEV, Map.of());
    tree.getJsonObject("shed").getJsonObject("perClient").remove("maxInFlight");
    IllegalStateException e = assertThrows(IllegalStateException.class, () -> AppConfig.from(tree));
    assertTrue(e.getMessage().startsWith("shed.perClient.maxInFlight: not in the merged config tree"), e.getMessage());
  }

  @Test
  void aNullInTheFileKeepsTheDefaultAndAnObjectInTheEnvironmentLiesOverTheShippedOne(@TempDir Path dir)
      throws Exception {
    Path file = dir.resolve("config.json");
    JsonObject conf = ConfigSource.readFile(DEV);
    conf.put("redis", new JsonObject().put("uri", "redis://cache:6379").putNull("poolSize"));
    conf.put("shed", new JsonObject().put("perClient", new JsonObject().put("maxInFlight", 7)));
    Files.writeString(file, conf.encode());
    AppConfig c = AppConfig.load(file, Map.of("SPILLWAY_SHED_PER_CLIENT", "{\"enabled\":false}"));
    assertEquals(32, c.redis().poolSize(), "null: the shipped default");
    assertFalse(c.shed().perClient().enabled());
    assertEquals(20, c.shed().perClient().maxInFlight(), "the object replaces the file's, over the shipped one");
  }

  @Test
  void listEntriesGetTheirDefaultsAndReplicasTheirShards() {
    AppConfig c = AppConfig.load(DEV, Map.of("SPILLWAY_DATA_SHARDS",
        "[{\"database\":\"a\",\"replicas\":[{\"host\":\"replica-a\"}]}]"));
    ShardConfig shard = c.data().shards().get(0);
    assertEquals(new ShardConfig("127.0.0.1", 5432, "a", "postgres", "", 16,
        List.of(new ShardConfig.ReplicaConfig("replica-a", 5432, "a", "postgres", "", 16))), shard);
  }

  @Test
  void secretsStayOutOfTheRecordsText() {
    AppConfig c = AppConfig.load(DEV, Map.of("SPILLWAY_DATA_SHARDS",
        "[{\"database\":\"a\",\"password\":\"pg-secret\",\"replicas\":[{\"host\":\"r\"}]}]",
        "SPILLWAY_REDIS_URI", "redis://:redis-secret@cache:6379/0"));
    assertFalse(c.toString().contains(JwtConfig.SAMPLE_SECRET), c.toString());
    assertFalse(c.toString().contains("pg-secret"), c.toString());
    assertFalse(c.toString().contains("redis-secret"), c.toString());
    assertTrue(c.toString().contains("cache:6379"), c.toString());
  }

  private static void assertMessage(Map<String, String> env, String key, String allowed) {
    ConfigException e = assertThrows(ConfigException.class, () -> AppConfig.load(DEV, env));
    assertTrue(e.getMessage().contains(key), "message should name " + key + ": " + e.getMessage());
    assertTrue(e.getMessage().contains(allowed), "message should say " + allowed + ": " + e.getMessage());
  }
}
