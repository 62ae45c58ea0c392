package io.spillway.cache;

import io.spillway.testkit.ApiClient;
import io.spillway.testkit.RedisProcess;
import io.spillway.testkit.SpillwayApp;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Redis dies under a node with a warm cache: reads keep working, from memory or from PostgreSQL. */
class CacheWithoutRedisTest {
  private static final Vertx VERTX = Vertx.vertx();
  private static final RedisProcess REDIS = startRedis();

  @RegisterExtension
  static SpillwayApp app = SpillwayApp.create().withoutKafka()
      .configure(tree -> tree.getJsonObject("redis").put("uri", REDIS.uri()));

  private static RedisProcess startRedis() {
    return RedisProcess.started(VERTX);
  }

  @AfterAll
  static void stop() {
    REDIS.close();
    VERTX.close().await();
  }

  @Test
  void readsNeitherFailNorWaitOnADeadRedis() {
    ApiClient api = new ApiClient(app.client());
    ApiClient.User warm = api.newUser("Warm");
    ApiClient.User cold = api.newUser("Cold");
    ApiClient.User reader = api.newUser("Reader");
    assertEquals(200, api.get("/v1/users/" + warm.id(), reader).statusCode());

    REDIS.kill();

    for (int i = 0; i < 20; i++) {
      HttpResponse<Buffer> fromMemory = api.get("/v1/users/" + warm.id(), reader);
      assertEquals(200, fromMemory.statusCode(), fromMemory.bodyAsString());
      HttpResponse<Buffer> fromDatabase = api.get("/v1/users/" + cold.id(), reader);
      assertEquals(200, fromDatabase.statusCode(), fromDatabase.bodyAsString());
      assertEquals("Cold", fromDatabase.bodyAsJsonObject().getString("name"));
    }
    HttpResponse<Buffer> write = api.call(HttpMethod.PATCH, "/v1/users/" + warm.id(), warm,
        new JsonObject().put("name", "Still warm"));
    assertEquals(200, write.statusCode(), "a write does not fail because its cache entry cannot be held");
    assertEquals("Still warm", api.get("/v1/users/" + warm.id(), reader).bodyAsJsonObject().getString("name"),
        "and the writer's node dropped its own entry");
  }
}
