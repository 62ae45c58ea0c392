package io.spillway.observe;

import io.spillway.web.Caller;
import io.spillway.web.Problem;
import io.spillway.web.ProblemType;
import io.spillway.web.Problems;
import io.spillway.web.RequestIds;
import io.spillway.web.RouteTemplates;
import io.vertx.core.AsyncResult;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.RoutingContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.event.Level;
import org.slf4j.spi.LoggingEventBuilder;

import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * One access-log event per logged request on the {@code spillway.access} logger, its fields as key-value
 * pairs ({@code method}, {@code route}, {@code status}, {@code durationMs}, {@code bytes}, {@code requestId},
 * {@code traceId}, {@code client}); logback's encoder turns them into one flat JSON line, off the event loop.
 *
 * <p>Which requests: a {@code http.accessLog.sampleRate} share of them, decided when the request arrives
 * (an unsampled request costs one random number), plus, whatever the sample, every server error (5xx) and
 * every request slower than {@code http.accessLog.slowMs}. Shed rejections (503 {@code overloaded}) are the
 * exception: under overload there are thousands a second, each already counted in {@code
 * spillway_shed_rejected_total}, so they are sampled like successes. Server errors are written at WARN,
 * everything else at INFO.
 *
 * <p>A WebSocket upgrade is logged when the handshake is answered (status 101, the handshake's duration),
 * not when the socket closes; {@link #upgraded} is called by whoever performs the upgrade.
 */
public final class AccessLog implements Handler<RoutingContext> {
  public static final String LOGGER = "spillway.access";
  private static final Logger LOG = LoggerFactory.getLogger(LOGGER);
  private static final String STARTED = "spillway.access.started";
  private static final String OVERLOADED = ProblemType.OVERLOADED.uri();

  private final double sampleRate;
  private final long slowNanos;

  /** {@code sampleRate} in 0..1; {@code slowMs}: requests taking at least this long are always written. */
  public AccessLog(double sampleRate, long slowMs) {
    this.sampleRate = sampleRate;
    this.slowNanos = TimeUnit.MILLISECONDS.toNanos(slowMs);
  }

  @Override
  public void handle(RoutingContext ctx) {
    // Server errors are written at WARN: with the logger at WARN only, they still are, and nothing is sampled.
    if (LOG.isWarnEnabled()) {
      boolean sampled = LOG.isInfoEnabled() && (sampleRate >= 1.0
          || (sampleRate > 0 && ThreadLocalRandom.current().nextDouble() < sampleRate));
      Request request = new Request(ctx, System.nanoTime(), sampled);
      if (ctx.request().headers().contains(HttpHeaders.UPGRADE)) {
        ctx.put(STARTED, request);
      }
      ctx.addEndHandler(request);
    }
    ctx.next();
  }

  /** The handshake of a WebSocket on this request was answered: writes its line (101) now, once. */
  public static void upgraded(RoutingContext ctx) {
    Object started = ctx.get(STARTED);
    if (started instanceof Request request) {
      request.finish(101);
    }
  }

  /** One request's sampling decision and start; writes its line once, when the response ends. */
  private final class Request implements Handler<AsyncResult<Void>> {
    private final RoutingContext ctx;
    private final long startNanos;
    private final boolean sampled;
    private boolean written;

    Request(RoutingContext ctx, long startNanos, boolean sampled) {
      this.ctx = ctx;
      this.startNanos = startNanos;
      this.sampled = sampled;
    }

    @Override
    public void handle(AsyncResult<Void> ended) {
      finish(ctx.response().getStatusCode());
    }

    void finish(int status) {
      if (written) {
        return;
      }
      written = true;
      long nanos = System.nanoTime() - startNanos;
      boolean serverError = status >= 500 && !shedRejection(status);
      if (sampled || serverError || nanos >= slowNanos) {
        write(status, nanos, serverError ? Level.WARN : Level.INFO);
      }
    }

    private boolean shedRejection(int status) {
      Problem problem = status == 503 ? Problems.sent(ctx) : null;
      return problem != null && OVERLOADED.equals(problem.type());
    }

    private void write(int status, long nanos, Level level) {
      String method = ctx.request().method().name();
      String route = RouteTemplates.of(ctx);
      LoggingEventBuilder line = LOG.atLevel(level)
          .addKeyValue("method", method)
          .addKeyValue("route", route)
          .addKeyValue("status", status)
          .addKeyValue("durationMs", Math.round(nanos / 10_000.0) / 100.0)
          .addKeyValue("bytes", status == 101 ? 0L : ctx.response().bytesWritten())
          .addKeyValue("requestId", RequestIds.of(ctx));
      String traceId = RequestIds.traceId(ctx);
      if (traceId != null) {
        line.addKeyValue("traceId", traceId);
      }
      String client = Caller.of(ctx).address();
      if (client == null && ctx.request().remoteAddress() != null) {
        // No door in front (a router without the caller handler): the peer is all there is.
        client = ctx.request().remoteAddress().hostAddress();
      }
      if (client != null) {
        line.addKeyValue("client", client);
      }
      line.log(method + " " + route + " " + status);
    }
  }
}
