package io.spillway.observe;

import io.spillway.web.RequestIds;
import io.spillway.web.RouteTemplates;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Instant;
import java.util.concurrent.ThreadLocalRandom;

/**
 * One structured JSON line per request on the {@code spillway.access} logger. Sampled by {@code
 * http.accessLog.sampleRate}; server errors are always written.
 */
public final class AccessLog implements Handler<RoutingContext> {
  public static final String LOGGER = "spillway.access";
  private static final Logger LOG = LoggerFactory.getLogger(LOGGER);

  private final double sampleRate;

  public AccessLog(double sampleRate) {
    this.sampleRate = sampleRate;
  }

  @Override
  public void handle(RoutingContext ctx) {
    long start = System.nanoTime();
    boolean sampled = sampleRate >= 1.0 || ThreadLocalRandom.current().nextDouble() < sampleRate;
    ctx.addEndHandler(ignored -> {
      int status = ctx.response().getStatusCode();
      if ((sampled || status >= 500) && LOG.isInfoEnabled()) {
        LOG.info(line(ctx, status, System.nanoTime() - start).encode());
      }
    });
    ctx.next();
  }

  static JsonObject line(RoutingContext ctx, int status, long nanos) {
    HttpServerRequest req = ctx.request();
    JsonObject line = new JsonObject()
        .put("time", Instant.now().toString())
        .put("method", req.method().name())
        .put("route", RouteTemplates.of(ctx))
        .put("status", status)
        .put("durationMs", Math.round(nanos / 10_000.0) / 100.0)
        .put("bytes", ctx.response().bytesWritten())
        .put("requestId", RequestIds.of(ctx));
    String traceId = RequestIds.traceId(ctx);
    if (traceId != null) {
      line.put("traceId", traceId);
    }
    return line;
  }
}
