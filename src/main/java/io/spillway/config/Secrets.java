package io.spillway.config;

import java.util.Locale;
import java.util.Set;

/**
 * What counts as a secret in the config, and how one is kept out of messages and {@code toString()}: a
 * config error names the key and what is allowed, never a secret's value, and a URI is shown without its
 * credentials. The sample values that ship in this repository are refused outside dev mode.
 */
public final class Secrets {
  /** Shown instead of a secret value. */
  public static final String REDACTED = "(redacted)";

  /**
   * Every sample secret this repository ships or shipped (conf/config.json, the compose file): refused as
   * {@code jwt.secret} and {@code management.adminToken} outside dev mode. {@code config.SampleSecretsTest}
   * checks that the repository holds no other.
   */
  public static final Set<String> SAMPLES = Set.of(
      "dev-only-sample-secret-do-not-use-in-production",
      "change-this-compose-secret-to-32-or-more-chars");

  private Secrets() {}

  /** True when {@code key} (a full dotted key, list indexes allowed) names a secret: its value is never shown. */
  public static boolean isSecretKey(String key) {
    String last = key.substring(key.lastIndexOf('.') + 1).toLowerCase(Locale.ROOT);
    int bracket = last.indexOf('[');
    if (bracket >= 0) {
      last = last.substring(0, bracket);
    }
    return last.contains("secret") || last.contains("password") || last.contains("token")
        || last.contains("privatekey");
  }

  /**
   * {@code scheme://user:password@host/...} -> {@code scheme://***@host/...}; a text without {@code @} unchanged.
   * Everything before the last {@code @} but the scheme goes, so a malformed URI is safe to show too.
   */
  public static String redactUri(String uri) {
    int at = uri == null ? -1 : uri.lastIndexOf('@');
    if (at < 0) {
      return uri;
    }
    int schemeEnd = uri.indexOf("://");
    return (schemeEnd >= 0 && schemeEnd < at ? uri.substring(0, schemeEnd + 3) : "") + "***" + uri.substring(at);
  }

  /** {@code value} when {@code key} is not a secret, else {@link #REDACTED}. */
  static String show(String key, Object value) {
    return isSecretKey(key) ? REDACTED : String.valueOf(value);
  }
}
