package io.spillway.config;

/**
 * Metrics and tracing. Metrics are on by default ({@code /metrics} on the management port); tracing
 * propagates W3C {@code traceparent} always and exports spans over OTLP only when {@code otlpEndpoint} is set.
 */
public record ObserveConfig(boolean metricsEnabled, boolean tracingEnabled, String otlpEndpoint,
                            double sampleRatio, String serviceName) {
  static ObserveConfig from(ConfigReader metrics, ConfigReader tracing) {
    String endpoint = tracing.string("otlpEndpoint", "");
    if (!endpoint.isEmpty() && !endpoint.startsWith("http://") && !endpoint.startsWith("https://")) {
      throw new ConfigException(tracing.key("otlpEndpoint") + ": '" + endpoint
          + "' is not an http(s) URL (e.g. http://otel-collector:4318/v1/traces)");
    }
    return new ObserveConfig(metrics.bool("enabled", true), tracing.bool("enabled", true), endpoint,
        tracing.decimal("sampleRatio", 0.1, 0.0, 1.0), tracing.string("serviceName", "spillway"));
  }
}
