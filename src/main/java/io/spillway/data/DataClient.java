package io.spillway.data;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.spillway.web.Consistency;
import io.spillway.web.LocalCodec;
import io.spillway.web.Problem;
import io.spillway.web.ProblemType;
import io.spillway.web.Problems;
import io.spillway.observe.TraceContext;
import io.spillway.web.ProblemException;
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
 * 404, 403, 409 and 422 as they are, anything else as 503 (retryable) or 500. The request's consistency token
 * travels with each operation, and the positions a write reached come back with its answer ({@link Consistency}).
 */
public final class DataClient {
  private static final DeliveryOptions SEND = LocalCodec.options(10_000);
  private final Vertx vertx;
  private final MeterRegistry registry;
  private final Map<Class<?>, Timer> timers = new ConcurrentHashMap<>();

  /** {@code registry} may be null: no timers then. */
  public DataClient(Vertx vertx, MeterRegistry registry) {
    this.vertx = vertx;
    this.registry = registry;
    LocalCodec.register(vertx);
  }

  /** Sends {@code request} to the data layer; its failures arrive as problems (see the class comment). */
  public <R> Future<R> call(DataRequest<R> request) {
    long start = System.nanoTime();
    Timer timer = registry == null ? null : timers.computeIfAbsent(request.getClass(), type -> Timer.builder("spillway_data_request")
        .description("Event-bus round trip from the HTTP layer to the data layer, by operation")
        .tag("operation", type.getSimpleName())
        .publishPercentileHistogram()
        .register(registry));
    String traceparent = TraceContext.current();
    Consistency required = Consistency.required();
    DeliveryOptions options = SEND;
    if (traceparent != null || required != null) {
      options = new DeliveryOptions(SEND);
      if (traceparent != null) {
        options.addHeader(TraceContext.HEADER, traceparent);
      }
      if (required != null) {
        options.addHeader(Consistency.HEADER, required.toString());
      }
    }
    return vertx.eventBus().<R>request(DataRequest.address(request.getClass()), request, options)
        .transform(ar -> {
          if (timer != null) {
            timer.record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
          }
          if (ar.failed()) {
            return Future.failedFuture(toProblem(ar.cause()));
          }
          String written = ar.result().headers().get(Consistency.HEADER);
          if (written != null) {
            Consistency.wrote(Consistency.parse(written));
          }
          return Future.succeededFuture(ar.result().body());
        });
  }

  static Throwable toProblem(Throwable err) {
    if (!(err instanceof ReplyException re)) {
      return err;
    }
    if (re.failureType() != ReplyFailure.RECIPIENT_FAILURE) {
      return new ProblemException(Problem.unavailable("the data layer did not answer in time, try again"));
    }
    String detail = re.getMessage();
    return new ProblemException(switch (re.failureCode()) {
      case 403 -> Problem.forbidden(detail);
      case 404 -> Problem.notFound(detail);
      case 409 -> Problem.conflict(detail);
      case 422 -> ProblemType.IDEMPOTENCY_KEY_REUSED.with(detail);
      case 503 -> Problem.unavailable(detail);
      default -> Problems.internal();
    });
  }
}
