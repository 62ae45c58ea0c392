package io.spillway.observe;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.propagation.ContextPropagators;
import io.opentelemetry.exporter.otlp.http.trace.OtlpHttpSpanExporter;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.SdkTracerProviderBuilder;
import io.opentelemetry.sdk.trace.export.BatchSpanProcessor;
import io.opentelemetry.sdk.trace.samplers.Sampler;
import io.spillway.config.ObserveConfig;
import io.vertx.core.Vertx;
import io.vertx.core.VertxBuilder;
import io.vertx.core.VertxOptions;
import io.vertx.micrometer.Label;
import io.vertx.micrometer.MicrometerMetricsFactory;
import io.vertx.micrometer.MetricsDomain;
import io.vertx.micrometer.MicrometerMetricsOptions;
import io.vertx.micrometer.VertxPrometheusOptions;
import io.vertx.tracing.opentelemetry.OpenTelemetryTracingFactory;

import java.util.EnumSet;

/**
 * One node's metrics registry and tracer, wired into its Vertx: Vert.x reports HTTP (by route template,
 * never the raw path), event bus, pools and JVM metrics into the Prometheus registry that our own
 * {@code spillway_*} meters share; the tracer propagates W3C trace context across HTTP, the event bus, Pg
 * and Redis, and {@link EventSpans} carries it through Kafka.
 */
public final class Telemetry {
  private final PrometheusMeterRegistry prometheus;
  private final MeterRegistry registry;
  private final OpenTelemetrySdk openTelemetry;
  private final EventSpans eventSpans;

  private Telemetry(PrometheusMeterRegistry prometheus, MeterRegistry registry, OpenTelemetrySdk openTelemetry) {
    this.prometheus = prometheus;
    this.registry = registry;
    this.openTelemetry = openTelemetry;
    this.eventSpans = openTelemetry == null ? EventSpans.OFF : new EventSpans(openTelemetry.getTracer("io.spillway"));
  }

  public static Telemetry create(ObserveConfig config) {
    PrometheusMeterRegistry prometheus = config.metricsEnabled()
        ? new PrometheusMeterRegistry(PrometheusConfig.DEFAULT) : null;
    if (prometheus != null) {
      // Per-request byte-size distributions cost on every request and answer no operational question that
      // the request counts and durations do not.
      for (String name : new String[] {"vertx.http.server.request.bytes", "vertx.http.server.response.bytes",
          "vertx.http.server.bytes"}) {
        prometheus.config().meterFilter(MeterFilter.denyNameStartsWith(name));
      }
    }
    MeterRegistry registry = prometheus != null ? prometheus : new CompositeMeterRegistry();
    // Spans are only worth recording when they are exported; otherwise TraceContext propagates trace ids
    // by itself at a fraction of the cost.
    OpenTelemetrySdk otel = config.tracingEnabled() && !config.otlpEndpoint().isEmpty() ? openTelemetry(config) : null;
    return new Telemetry(prometheus, registry, otel);
  }

  private static OpenTelemetrySdk openTelemetry(ObserveConfig config) {
    SdkTracerProviderBuilder tracer = SdkTracerProvider.builder()
        .setSampler(Sampler.parentBased(Sampler.traceIdRatioBased(config.sampleRatio())))
        .setResource(Resource.getDefault().merge(Resource.create(
            Attributes.builder().put("service.name", config.serviceName()).build())));
    tracer.addSpanProcessor(BatchSpanProcessor.builder(
        OtlpHttpSpanExporter.builder().setEndpoint(config.otlpEndpoint()).build()).build());
    return OpenTelemetrySdk.builder()
        .setTracerProvider(tracer.build())
        .setPropagators(ContextPropagators.create(W3CTraceContextPropagator.getInstance()))
        .build();
  }

  public Vertx newVertx(VertxOptions options) {
    VertxBuilder builder = Vertx.builder();
    if (prometheus != null) {
      options.setMetricsOptions(new MicrometerMetricsOptions()
          .setEnabled(true)
          // HTTP by route and the pools are what operators read; raw socket, event bus and verticle
          // counters would be updated on every read, write and message for little insight.
          .addDisabledMetricsCategory(MetricsDomain.NET_SERVER)
          .addDisabledMetricsCategory(MetricsDomain.NET_CLIENT)
          .addDisabledMetricsCategory(MetricsDomain.DATAGRAM_SOCKET)
          .addDisabledMetricsCategory(MetricsDomain.EVENT_BUS)
          .addDisabledMetricsCategory(MetricsDomain.VERTICLES)
          .addDisabledMetricsCategory(MetricsDomain.HTTP_CLIENT)
          // The public server's request metrics come from HttpMetrics, under the same names, for less per request.
          .addDisabledMetricsCategory(MetricsDomain.HTTP_SERVER)
          .setJvmMetricsEnabled(true)
          .setLabels(EnumSet.of(Label.HTTP_METHOD, Label.HTTP_CODE, Label.HTTP_ROUTE, Label.EB_ADDRESS,
              Label.EB_FAILURE, Label.POOL_TYPE, Label.POOL_NAME))
          .setPrometheusOptions(new VertxPrometheusOptions().setEnabled(true).setPublishQuantiles(true)));
      builder.withMetrics(new MicrometerMetricsFactory(prometheus));
    }
    if (openTelemetry != null) {
      builder.withTracer(new OpenTelemetryTracingFactory(openTelemetry));
    }
    Vertx vertx = builder.with(options).build();
    // After Vert.x has set up the registry (it adds filters of its own, which must come before any meter).
    CountingAsyncAppender.bind(registry);
    return vertx;
  }

  /** The registry for {@code spillway_*} meters (a no-op one when metrics are off). */
  public MeterRegistry registry() {
    return registry;
  }

  /** The spans of events between the outbox and the sockets ({@link EventSpans#OFF} when spans are not exported). */
  public EventSpans eventSpans() {
    return eventSpans;
  }

  /** The Prometheus registry, or null when metrics are off. */
  public PrometheusMeterRegistry prometheus() {
    return prometheus;
  }

  public void close() {
    if (openTelemetry != null) {
      openTelemetry.close();
    }
    registry.close();
  }
}
