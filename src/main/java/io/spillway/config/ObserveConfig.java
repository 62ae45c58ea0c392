package io.spillway.config;

/**
 * Metrics and tracing. Metrics are on by default ({@code /metrics} on the management port); tracing
 * propagates W3C {@code traceparent} always and exports spans over OTLP only when {@code otlpEndpoint} is set.
 */
public record ObserveConfig(boolean metricsEnabled, boolean tracingEnabled, String otlpEndpoint,
                            double sampleRatio, String serviceName) {
  public ObserveConfig {
    Check.present("tracing.otlpEndpoint", otlpEndpoint);
    if (!otlpEndpoint.isEmpty() && !otlpEndpoint.startsWith("http://") && !otlpEndpoint.startsWith("https://")) {
      throw new ConfigException("tracing.otlpEndpoint", "'" + Secrets.redactUri(otlpEndpoint)
          + "' is not an http(s) URL (e.g. http://otel-collector:4318/v1/traces)");
    }
    Check.range("tracing.sampleRatio", sampleRatio, 0.0, 1.0);
    Check.present("tracing.serviceName", serviceName);
  }

  static ObserveConfig from(ConfigReader metrics, ConfigReader tracing) {
    return new ObserveConfig(metrics.bool("enabled"), tracing.bool("enabled"), tracing.string("otlpEndpoint"),
        tracing.decimal("sampleRatio"), tracing.string("serviceName"));
  }

  /** Without the endpoint's credentials ({@code https://user:key@collector}): a record's text may reach a log line. */
  @Override
  public String toString() {
    return "ObserveConfig[metricsEnabled=" + metricsEnabled + ", tracingEnabled=" + tracingEnabled + ", otlpEndpoint="
        + Secrets.redactUri(otlpEndpoint) + ", sampleRatio=" + sampleRatio + ", serviceName=" + serviceName + "]";
  }
}
