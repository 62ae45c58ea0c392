package io.spillway.config;

/**
 * The management server: {@code /metrics}, {@code /health/*} and the admin API, on a port kept off the public
 * listener and bound to the loopback address unless configured otherwise.
 *
 * @param adminApi   mount the admin endpoints ({@code PUT /admin/limits}, {@code PUT /admin/accounts/:id/plan})
 * @param adminToken the bearer token every admin call must carry; blank: admin calls are refused (and outside
 *                   dev mode the node does not start while {@code adminApi} is on)
 */
public record ManagementConfig(String host, int port, boolean enabled, boolean adminApi, String adminToken) {
  /** An admin token shorter than this is refused: it must not be guessable. */
  public static final int MIN_ADMIN_TOKEN_LENGTH = 32;

  public ManagementConfig {
    Check.present("management.host", host);
    Check.range("management.port", port, 0, 65535);
    Check.present("management.adminToken", adminToken);
    if (!adminToken.isEmpty() && adminToken.length() < MIN_ADMIN_TOKEN_LENGTH) {
      throw new ConfigException("management.adminToken", "must be at least " + MIN_ADMIN_TOKEN_LENGTH
          + " characters (e.g. the output of `openssl rand -base64 32`)");
    }
  }

  static ManagementConfig from(ConfigReader r) {
    return new ManagementConfig(r.string("host"), r.integer("port"), r.bool("enabled"), r.bool("adminApi"),
        r.string("adminToken"));
  }

  /** True when admin calls can be authorised: the API is on and a token is set. */
  public boolean adminAuthorised() {
    return adminApi && !adminToken.isEmpty();
  }

  /** Without the admin token: a record's text may end up in a log line. */
  @Override
  public String toString() {
    return "ManagementConfig[host=" + host + ", port=" + port + ", enabled=" + enabled + ", adminApi=" + adminApi
        + ", adminToken=" + (adminToken.isEmpty() ? "(none)" : Secrets.REDACTED) + "]";
  }
}
