package io.spillway.config;

/** The management server: {@code /metrics} and {@code /health/*}, on a port kept off the public listener. */
public record ManagementConfig(String host, int port, boolean enabled) {
  static ManagementConfig from(ConfigReader r) {
    return new ManagementConfig(
        r.string("host", "0.0.0.0"), r.integer("port", 8081, 0, 65535), r.bool("enabled", true));
  }
}
