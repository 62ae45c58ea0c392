package io.spillway.config;

/** The public HTTP server. {@code instances} HttpVerticles share the port; the kernel spreads connections. */
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

  static HttpConfig from(ConfigReader r) {
    ConfigReader log = r.child("accessLog");
    return new HttpConfig(
        r.string("host", "0.0.0.0"),
        r.integer("port", 8080, 0, 65535),
        r.has("instances") ? r.integer("instances", 1, 1, 1024) : Runtime.getRuntime().availableProcessors(),
        r.integer("maxBodyBytes", 1 << 20, 1, 1 << 30),
        r.integer("maxHeaderBytes", 8192, 1024, 1 << 20),
        r.integer("maxInitialLineBytes", 4096, 256, 1 << 20),
        r.integer("idleTimeoutSeconds", 60, 0, 86_400),
        log.bool("enabled", true),
        log.decimal("sampleRate", 0.01, 0.0, 1.0),
        log.integer("slowMs", 1000, 0, 3_600_000));
  }
}
