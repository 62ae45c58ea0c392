package io.spillway.config;

/** The management server: {@code /metrics} and {@code /health/*}, on a port kept off the public listener. */
public record ManagementConfig(String host, int port, boolean enabled) {
  public ManagementConfig {
    Check.present("management.host", host);
    Check.range("management.port", port, 0, 65535);
  }

  static ManagementConfig from(ConfigReader r) {
    return new ManagementConfig(r.string("host"), r.integer("port"), r.bool("enabled"));
  }
}
