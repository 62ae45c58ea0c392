package io.spillway.config;

/**
 * The public HTTP server. {@code instances} HttpVerticles share the port; the kernel spreads connections.
 * {@code http.instances} null (the default) means one per core: {@link #from} applies that rule.
 */
public record HttpConfig(
    String host,
    int port,
    int instances,
    int maxBodyBytes,
    int maxHeaderBytes,
    int maxInitialLineBytes,
    int idleTimeoutSeconds,
    boolean accessLog,
    double accessLogSampleRate,
    int accessLogSlowMs) {

  public HttpConfig {
    Check.present("http.host", host);
    Check.range("http.port", port, 0, 65535);
    Check.range("http.instances", instances, 1, 1024);
    Check.range("http.maxBodyBytes", maxBodyBytes, 1, 1 << 30);
    Check.range("http.maxHeaderBytes", maxHeaderBytes, 1024, 1 << 20);
    Check.range("http.maxInitialLineBytes", maxInitialLineBytes, 256, 1 << 20);
    Check.range("http.idleTimeoutSeconds", idleTimeoutSeconds, 0, 86_400);
    Check.range("http.accessLog.sampleRate", accessLogSampleRate, 0.0, 1.0);
    Check.range("http.accessLog.slowMs", accessLogSlowMs, 0, 3_600_000);
  }

  static HttpConfig from(ConfigReader r) {
    ConfigReader log = r.child("accessLog");
    Integer instances = r.optionalInteger("instances");
    return new HttpConfig(
        r.string("host"),
        r.integer("port"),
        instances != null ? instances : Runtime.getRuntime().availableProcessors(),
        r.integer("maxBodyBytes"),
        r.integer("maxHeaderBytes"),
        r.integer("maxInitialLineBytes"),
        r.integer("idleTimeoutSeconds"),
        log.bool("enabled"),
        log.decimal("sampleRate"),
        log.integer("slowMs"));
  }
}
