package io.spillway.testkit;

import io.spillway.Spillway;
import io.spillway.config.AppConfig;
import io.spillway.config.JwtConfig;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * A whole Spillway node on real services, for one test class (Redis databases 1-11 rotate among test
 * classes; 12, 13 and 14 belong to tests that manage their own): fresh shard databases on the local
 * PostgreSQL (created before, dropped after), an isolated Redis database (flushed before), the shared
 * in-JVM Kafka broker, random ports. Register it with {@code @RegisterExtension static SpillwayApp app =
 * SpillwayApp.create();}; tweak the config with {@link #configure}.
 */
public final class SpillwayApp implements BeforeAllCallback, AfterAllCallback {
  public static final String REDIS_HOST = "127.0.0.1";
  /** The local Redis; {@code SPILLWAY_TEST_REDIS_PORT} moves the suite to another instance (parallel checkouts). */
  public static final int REDIS_PORT = Integer.parseInt(System.getenv().getOrDefault("SPILLWAY_TEST_REDIS_PORT", "6379"));
  private static final AtomicInteger NEXT_REDIS_DB = new AtomicInteger(1);
  /** The admin token of every test node ({@code management.adminToken}). */
  public static final String ADMIN_TOKEN = "test-admin-token-0123456789abcdef0123456789";

  private final List<Consumer<JsonObject>> customizers = new ArrayList<>();
  private int shards = 2;
  private boolean kafka = true;
  private List<String> databases = List.of();
  private int redisDb;
  private JsonObject tree;
  private Spillway node;
  private Vertx clientVertx;
  private WebClient client;

  private SpillwayApp() {}

  public static SpillwayApp create() {
    return new SpillwayApp();
  }

  /** Changes the test config tree before the node starts. */
  public SpillwayApp configure(Consumer<JsonObject> customizer) {
    customizers.add(customizer);
    return this;
  }

  public SpillwayApp shards(int n) {
    this.shards = n;
    return this;
  }

  /** Without Kafka: no stream verticle, no broker (for tests that need neither). */
  public SpillwayApp withoutKafka() {
    this.kafka = false;
    return this;
  }

  @Override
  public void beforeAll(ExtensionContext context) {
    start();
  }

  @Override
  public void afterAll(ExtensionContext context) {
    stop();
  }

  public void start() {
    String prefix = "spillway_t" + Long.toString(ThreadLocalRandom.current().nextLong() >>> 1, 36);
    List<String> dbs = new ArrayList<>();
    for (int i = 0; i < shards; i++) {
      dbs.add(prefix + "_" + i);
    }
    databases = dbs;
    LocalPostgres.create(databases);
    redisDb = NEXT_REDIS_DB.getAndUpdate(n -> n >= 11 ? 1 : n + 1);
    // The shipped defaults under the test values, as a node started from a config file would see them.
    tree = testConfig(databases, redisDb, kafka ? EmbeddedKafka.shared().bootstrapServers() : "");
    customizers.forEach(c -> c.accept(tree));
    // A customizer writes like a config file: what an object it puts leaves out has its shipped default.
    tree = ShippedConfig.tree(tree);
    clientVertx = Vertx.vertx();
    flushRedis();
    node = startNode(AppConfig.from(tree.copy()));
    client = TestHttp.client(clientVertx, new WebClientOptions()
        .setDefaultHost("127.0.0.1").setDefaultPort(port())).web();
  }

  /** Starts another node on the same services (same databases, Redis and Kafka), on fresh ports. */
  public Spillway startSecondNode() {
    JsonObject second = tree.copy();
    second.getJsonObject("http").put("port", Ports.free());
    second.getJsonObject("management").put("port", Ports.free());
    return startNode(AppConfig.from(second));
  }

  private static Spillway startNode(AppConfig config) {
    try {
      return Spillway.start(config).await(60, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException("the node did not start: " + e.getMessage(), e);
    }
  }

  public void stop() {
    try {
      if (node != null) {
        node.stop().await(30, TimeUnit.SECONDS);
      }
    } catch (Exception e) {
      throw new IllegalStateException(e);
    } finally {
      if (clientVertx != null) {
        clientVertx.close().await();
      }
      LocalPostgres.drop(databases);
    }
  }

  /** The effective config tree as the node got it (a copy). */
  public JsonObject configTree() {
    return tree.copy();
  }

  /**
   * A fresh test config tree for these databases, over the shipped defaults (to start a node in this JVM,
   * or the app's main in a process).
   */
  public static JsonObject testConfig(List<String> databases, int redisDb, String kafkaBootstrap) {
    JsonArray shardList = new JsonArray();
    for (String db : databases) {
      shardList.add(new JsonObject().put("host", LocalPostgres.HOST).put("port", LocalPostgres.PORT)
          .put("database", db).put("user", LocalPostgres.USER).put("poolSize", 4));
    }
    return ShippedConfig.tree(new JsonObject()
        .put("mode", "dev")
        .put("http", new JsonObject().put("host", "127.0.0.1").put("port", Ports.free()).put("instances", 2)
            .put("accessLog", new JsonObject().put("enabled", true).put("sampleRate", 1.0)))
        .put("management", new JsonObject().put("host", "127.0.0.1").put("port", Ports.free())
            .put("adminToken", ADMIN_TOKEN))
        .put("data", new JsonObject().put("instances", 1).put("logicalShards", 64).put("shards", shardList))
        .put("redis", new JsonObject().put("uri", "redis://" + REDIS_HOST + ":" + REDIS_PORT + "/" + redisDb))
        .put("kafka", new JsonObject().put("bootstrapServers", kafkaBootstrap).put("topic", "spillway.events")
            .put("partitions", 3))
        .put("stream", new JsonObject().put("instances", kafkaBootstrap.isEmpty() ? 0 : 1))
        .put("jwt", new JsonObject().put("algorithm", "HS256").put("secret", JwtConfig.SAMPLE_SECRET))
        .put("auth", new JsonObject().put("passwordIterations", 1000))
        // Shedding stays in the request path, with a fixed limit no test reaches unless it sets its own:
        // an adaptive limit reacting to a busy CI machine would shed requests of unrelated tests.
        // and without the event-loop lag signal, which a machine busy with other builds would trip.
        .put("shed", new JsonObject().put("algorithm", "fixed").put("initialLimit", 1000).put("maxLimit", 1000)
            .put("eventLoopLagMs", 0))
        // No drain delay: nothing balances these nodes, and a test that stops one need not wait.
        .put("shutdown", new JsonObject().put("timeoutMs", 5000).put("drainDelayMs", 0)));
  }

  private void flushRedis() {
    Redis redis = Redis.createClient(clientVertx, "redis://" + REDIS_HOST + ":" + REDIS_PORT + "/" + redisDb);
    try {
      redis.send(Request.cmd(Command.FLUSHDB)).await(10, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException("Redis at " + REDIS_HOST + ":" + REDIS_PORT + " is not answering", e);
    } finally {
      redis.close();
    }
  }

  public Spillway node() {
    return node;
  }

  public AppConfig config() {
    return node.config();
  }

  public int port() {
    return node.config().http().port();
  }

  public int managementPort() {
    return node.config().management().port();
  }

  public List<String> databases() {
    return databases;
  }

  public int redisDb() {
    return redisDb;
  }

  /**
   * A web client (on its own Vertx) pointed at the node's public port, with room for {@link TestHttp#MAX_POOL}
   * requests in flight at once.
   */
  public WebClient client() {
    return client;
  }

  /**
   * A fresh client of the node's public port that counts its connections, for tests whose point is that
   * requests run at the same time. Close it when done.
   */
  public TestHttp.Counted concurrentClient() {
    return TestHttp.client(clientVertx, port());
  }

  public Vertx clientVertx() {
    return clientVertx;
  }

  /** An admin call to this node's management port, with the admin token. */
  public HttpRequest<Buffer> admin(HttpMethod method, String path) {
    return admin(client, method, managementPort(), path);
  }

  /** An admin call to the management port {@code port} of a test node, with the admin token. */
  public static HttpRequest<Buffer> admin(WebClient client, HttpMethod method, int port, String path) {
    return client.request(method, port, "127.0.0.1", path).putHeader("Authorization", "Bearer " + ADMIN_TOKEN);
  }

}
