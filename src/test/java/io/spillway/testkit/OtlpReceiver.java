package io.spillway.testkit;

import com.google.protobuf.InvalidProtocolBufferException;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;

import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A trace collector as a node sees one: OTLP over HTTP ({@code POST /v1/traces}, protobuf) on a free loopback
 * port, keeping every span it is sent.
 */
public final class OtlpReceiver implements AutoCloseable {
  /** One received span, its ids in the lower-case hex of {@code traceparent}. */
  public record Received(String name, Span.SpanKind kind, String traceId, String spanId, String parentSpanId,
                         Span span) {
    public long longAttribute(String key) {
      return span.getAttributesList().stream().filter(a -> a.getKey().equals(key)).findFirst()
          .orElseThrow(() -> new AssertionError(name + " has no attribute " + key)).getValue().getIntValue();
    }
  }

  private final Vertx vertx = Vertx.vertx();
  private final List<Received> spans = new CopyOnWriteArrayList<>();
  private final HttpServer server;

  private OtlpReceiver() {
    server = Await.result(vertx.createHttpServer().requestHandler(this::handle).listen(0, "127.0.0.1"));
  }

  public static OtlpReceiver start() {
    return new OtlpReceiver();
  }

  /** The URL to configure as {@code tracing.otlpEndpoint}. */
  public String endpoint() {
    return "http://127.0.0.1:" + server.actualPort() + "/v1/traces";
  }

  /** Every span received so far. */
  public List<Received> spans() {
    return List.copyOf(spans);
  }

  private void handle(HttpServerRequest request) {
    if (request.method() != HttpMethod.POST || !"/v1/traces".equals(request.path())) {
      request.response().setStatusCode(404).end();
      return;
    }
    request.body().onSuccess(body -> {
      try {
        keep(ExportTraceServiceRequest.parseFrom(body.getBytes()));
      } catch (InvalidProtocolBufferException e) {
        request.response().setStatusCode(400).end();
        return;
      }
      request.response().putHeader("Content-Type", "application/x-protobuf")
          .end(Buffer.buffer(ExportTraceServiceResponse.getDefaultInstance().toByteArray()));
    });
  }

  private void keep(ExportTraceServiceRequest export) {
    HexFormat hex = HexFormat.of();
    for (ResourceSpans resource : export.getResourceSpansList()) {
      for (ScopeSpans scope : resource.getScopeSpansList()) {
        for (Span s : scope.getSpansList()) {
          spans.add(new Received(s.getName(), s.getKind(), hex.formatHex(s.getTraceId().toByteArray()),
              hex.formatHex(s.getSpanId().toByteArray()), hex.formatHex(s.getParentSpanId().toByteArray()), s));
        }
      }
    }
  }

  @Override
  public void close() {
    vertx.close().await();
  }
}
