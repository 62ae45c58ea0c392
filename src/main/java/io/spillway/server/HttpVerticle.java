package io.spillway.server;

import io.spillway.api.ApiContract;
import io.spillway.api.DocsPage;
import io.spillway.api.graphql.GraphQlEndpoint;
import io.spillway.api.RestApi;
import io.spillway.auth.JwtTokens;
import io.spillway.auth.LoginAttempts;
import io.spillway.auth.PasswordHasher;
import io.spillway.config.AppConfig;
import io.spillway.config.HttpConfig;
import io.spillway.observe.HealthChecks;
import io.spillway.observe.HealthReport;
import io.spillway.observe.Readiness;
import io.spillway.observe.Telemetry;
import io.spillway.shed.ClientConcurrencyHandler;
import io.spillway.shed.LoadShedHandler;
import io.spillway.shed.LoadShedder;
import io.spillway.limit.RateLimitHandler;
import io.spillway.push.EventStreamEndpoint;
import io.spillway.push.StreamEndpoint;
import io.spillway.push.StreamTickets;
import io.spillway.web.RouteTemplates;
import io.spillway.push.StreamHub;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Request;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.StaticHandler;

import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Owns the public HTTP server, its router and the WebSocket sessions it accepted. Deployed {@code
 * http.instances} times on one port; never blocks and never talks to PostgreSQL itself.
 */
public final class HttpVerticle extends VerticleBase {
  /** HttpVerticles own the Redis check: they are the Redis client on the hot path. */
  public static final String REDIS_HEALTH_OWNER = "redis";
  private static final String LIVE = LivenessLane.PATH;
  private static final String READY = "/health/ready";
  /** Responses from this size up are gzipped for clients that accept it; smaller ones fit a packet as they are. */
  static final int COMPRESS_FROM_BYTES = 1024;

  private final AppConfig config;
  private final List<String> healthOwners;
  private final Telemetry telemetry;
  private final NodeServices node;
  private HttpServer server;
  private StreamHub hub;

  public HttpVerticle(AppConfig config, List<String> healthOwners, Telemetry telemetry, NodeServices node) {
    this.config = config;
    this.healthOwners = healthOwners;
    this.telemetry = telemetry;
    this.node = node;
  }

  @Override
  public Future<?> start() {
    // The contract and the JWT keys first: routes are checked against the contract, and with a JWK set URL the
    // keys are fetched; a node whose routes disagree with its contract, or without a usable key, must not start.
    return ApiContract.load(vertx)
        .compose(contract -> JwtTokens.start(vertx, config.jwt()).compose(tokens -> start(tokens, contract)));
  }

  private Future<?> start(JwtTokens tokens, ApiContract contract) {
    HealthChecks health = new HealthChecks(vertx, healthOwners, 2000);
    vertx.eventBus().consumer(HealthChecks.ADDRESS_PREFIX + REDIS_HEALTH_OWNER, msg -> {
      Future<HealthReport> main = ping(node.redis(), "redis");
      Future<HealthReport> history = node.historyRedis() == node.redis() ? null : ping(node.historyRedis(), "redis-history");
      (history == null ? main.map(List::of) : main.compose(m -> history.map(h -> List.of(m, h))))
          .onSuccess(reports -> msg.reply(HealthChecks.toJson(reports)));
    });
    hub = StreamHub.start(vertx, config.stream(), node.historyRedis(), config.redis().timeoutMs(), telemetry.registry(),
        telemetry.eventSpans());
    // Tickets live in the node's main Redis, not the history one: history may evict, a ticket must not vanish.
    StreamTickets tickets = new StreamTickets(node.redis(), config.stream().ticketTtlSeconds());
    StreamEndpoint stream = new StreamEndpoint(tokens, hub, tickets);

    Router router = ApiRouter.create(vertx, config, node.callers(), node.httpMetrics());
    router.route().order(-1).handler(new DrainHandler(Readiness.of(vertx)));
    // Shedding comes before everything that costs: auth, Redis, the data layer.
    LoadShedder shedder = LoadShedder.shared(vertx, config.shed(), telemetry.registry());
    Handler<RoutingContext> door = config.shed().enabled() ? new LoadShedHandler(shedder) : RoutingContext::next;
    if (config.shed().enabled()) {
      // GraphQL is admitted once its operation is known (a query or a mutation): see RestApi.mountGraphQl.
      // Probes pass the door: a balancer's probe gets its answer whatever the load, and its microsecond
      // latency does not feed the adaptive limit.
      router.route().handler(ctx -> {
        String path = ctx.normalizedPath();
        if (GraphQlEndpoint.PATH.equals(path) || LIVE.equals(path) || READY.equals(path)) {
          ctx.next();
        } else {
          door.handle(ctx);
        }
      });
    }
    router.get(LIVE).handler(health::live);
    router.get(READY).handler(health::ready);
    // Upgrades and event streams are limited by address (the shipped stream-connects policy) before the
    // ticket or token is checked.
    RouteTemplates.named(router.get("/v1/stream"), "/v1/stream")
        .handler(RateLimitHandler.beforeAuth(node.limiter())).handler(stream::upgrade);
    EventStreamEndpoint events = new EventStreamEndpoint(stream, hub);
    RouteTemplates.named(router.get("/v1/stream/sse"), "/v1/stream/sse")
        .handler(RateLimitHandler.beforeAuth(node.limiter())).handler(events::open);
    RestApi api = RestApi.mount(vertx, router, config, tokens, PasswordHasher.shared(vertx, config.auth(),
            telemetry.registry()), new LoginAttempts(node.redis()::send, config.auth().login()), tickets, node.limiter(),
        node.cache(), config.shed().enabled() ? new ClientConcurrencyHandler(shedder) : RoutingContext::next,
        telemetry.registry(), contract);
    api.mountGraphQl(router, door);
    DocsPage.mount(router);
    // The browser client and its demo page. Only these paths (a regex route, so StaticHandler keeps the whole
    // path): API requests never touch the file system, and 404/405 answers for API paths are unchanged.
    RouteTemplates.named(router.getWithRegex("/(index\\.html|spillway\\.js)?"), "/webroot")
        .handler(StaticHandler.create("webroot").setIndexPage("index.html"));

    List<String> drift = contract.differences(router, config.api().graphqlEnabled() ? java.util.Set.of()
        : java.util.Set.of("POST " + GraphQlEndpoint.PATH, "GET " + GraphQlEndpoint.PATH));
    if (!drift.isEmpty()) {
      return Future.failedFuture(new IllegalStateException("the routes and openapi.yaml disagree:\n  "
          + String.join("\n  ", drift)));
    }
    HttpConfig http = config.http();
    server = vertx.createHttpServer(new HttpServerOptions()
            .setHost(http.host())
            .setPort(http.port())
            .setMaxHeaderSize(http.maxHeaderBytes())
            .setMaxInitialLineLength(http.maxInitialLineBytes())
            .setIdleTimeout(http.idleTimeoutSeconds())
            .setIdleTimeoutUnit(TimeUnit.SECONDS)
            .setTcpNoDelay(true)
            .setTcpFastOpen(true)
            .setCompressionSupported(true)
            // A body under one packet's worth goes as it is: gzip would cost CPU on both ends and save no
            // packet (a 20-byte probe answer grew to 41 bytes).
            .setCompressionContentSizeThreshold(COMPRESS_FROM_BYTES)
            .setMaxWebSocketFrameSize(config.stream().maxFrameBytes())
            .setMaxWebSocketMessageSize(config.stream().maxFrameBytes())
            // Per-message deflate would compress every event once per subscriber; push frames are small
            // and encoded once per event loop, every socket sharing the one buffer (push.FrameSink).
            .setPerMessageWebSocketCompressionSupported(false)
            .setPerFrameWebSocketCompressionSupported(false))
        .invalidRequestHandler(InvalidRequests::handle)
        .requestHandler(new LivenessLane(router, Readiness.of(vertx), node.httpMetrics()));
    return server.listen();
  }

  /** Stops accepting, lets in-flight requests finish within {@code shutdown.timeoutMs}, closes WebSockets with 1001. */
  @Override
  public Future<?> stop() {
    Future<Void> closing = server == null ? Future.succeededFuture()
        : server.shutdown(config.shutdownTimeoutMs(), TimeUnit.MILLISECONDS);
    return closing.eventually(() -> hub == null ? Future.succeededFuture() : hub.close());
  }

  private static Future<HealthReport> ping(io.vertx.redis.client.Redis redis, String name) {
    return redis.send(Request.cmd(Command.PING)).map(pong -> HealthReport.up(name)).otherwise(err -> HealthReport.down(name, err));
  }
}
