package io.spillway.api;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.spillway.bus.LocalCodec;
import io.spillway.data.Requests;
import io.spillway.http.Problem;
import io.spillway.observe.TraceContext;
import io.spillway.http.ProblemException;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Sends data operations to the DataVerticle over the local event bus and turns its failures into problems:
 * 404, 403, 409 and 422 as they are, anything else as 503 (retryable) or 500.
 */
final class DataClient {
  private static final DeliveryOptions SEND = LocalCodec.options(10_000);
  private final Vertx vertx;
  private final MeterRegistry registry;
  private final Map<Class<?>, Timer> timers = new ConcurrentHashMap<>();

  DataClient(Vertx vertx, MeterRegistry registry) {
    this.vertx = vertx;
    this.registry = registry;
    LocalCodec.register(vertx);
  }

  <R> Future<R> call(Object request) {
    long start = System.nanoTime();
    Timer timer = timers.computeIfAbsent(request.getClass(), type -> Timer.builder("spillway_data_request")
        .description("Event-bus round trip from the HTTP layer to the data layer, by operation")
        .tag("operation", type.getSimpleName())
        .publishPercentileHistogram()
        .register(registry));
    String traceparent = TraceContext.current();
    DeliveryOptions options = traceparent == null ? SEND
        : new DeliveryOptions(SEND).addHeader(TraceContext.HEADER, traceparent);
    return vertx.eventBus().<R>request(Requests.address(request.getClass()), request, options)
        .transform(ar -> {
          timer.record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
          return ar.succeeded() ? Future.succeededFuture(ar.result().body())
              : Future.failedFuture(toProblem(ar.cause()));
        });
  }

  static Throwable toProblem(Throwable err) {
    if (!(err instanceof ReplyException re)) {
      return err;
    }
    if (re.failureType() != ReplyFailure.RECIPIENT_FAILURE) {
      return new ProblemException(Problem.of(503, "unavailable", "Service unavailable",
          "the data layer did not answer in time, try again"));
    }
    String detail = re.getMessage();
    return new ProblemException(switch (re.failureCode()) {
      case 403 -> Problem.forbidden(detail);
      case 404 -> Problem.notFound(detail);
      case 409 -> Problem.conflict(detail);
      case 422 -> Problem.of(422, "idempotency-key-reused", "Idempotency-Key reused", detail);
      case 503 -> Problem.of(503, "unavailable", "Service unavailable", detail);
      default -> Problem.of(500, "internal", "Internal server error", "the server failed to handle the request");
    });
  }
}
