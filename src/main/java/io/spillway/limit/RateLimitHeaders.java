package io.spillway.limit;

import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpHeaders;

import java.util.concurrent.ConcurrentHashMap;

/**
 * Response headers for a decision, in the structured-field form of draft-ietf-httpapi-ratelimit-headers
 * (draft 10/11): {@code RateLimit-Policy: "name";q=100;w=60} states the most restrictive policy, {@code
 * RateLimit: "name";r=42;t=17} how much of it is left ({@code r}) and for how many seconds that holds ({@code
 * t}). Optionally the legacy {@code X-RateLimit-Limit/-Remaining/-Reset} trio (Reset in seconds from now, like
 * {@code t}), and {@code Retry-After} in whole seconds (at least 1) on a rejection that waiting can cure.
 */
public final class RateLimitHeaders {
  public static final String POLICY = "RateLimit-Policy";
  public static final String RATE_LIMIT = "RateLimit";
  public static final String LEGACY_LIMIT = "X-RateLimit-Limit";
  public static final String LEGACY_REMAINING = "X-RateLimit-Remaining";
  public static final String LEGACY_RESET = "X-RateLimit-Reset";
  public static final String RETRY_AFTER = "Retry-After";

  private static final CharSequence POLICY_NAME = HttpHeaders.createOptimized(POLICY);
  private static final CharSequence RATE_LIMIT_NAME = HttpHeaders.createOptimized(RATE_LIMIT);

  /**
   * A policy's name as an sf-string and its RateLimit-Policy value for one limit and window, made once
   * (requests under the policy share the strings).
   */
  private record Rendered(String quoted, long limit, long window, String policy) {}

  /** Keyed by policy name: as many entries as policies ever configured. */
  private static final ConcurrentHashMap<String, Rendered> RENDERED = new ConcurrentHashMap<>();

  private RateLimitHeaders() {}

  public static void apply(Decision d, MultiMap headers, boolean legacy) {
    if (!d.limited()) {
      return;
    }
    headers.set(POLICY_NAME, policy(d));
    headers.set(RATE_LIMIT_NAME, rateLimit(d));
    if (legacy) {
      headers.set(LEGACY_LIMIT, Long.toString(d.limit()));
      headers.set(LEGACY_REMAINING, Long.toString(d.remaining()));
      headers.set(LEGACY_RESET, Long.toString(d.resetSeconds()));
    }
    if (!d.admitted() && d.retryAfterSeconds() > 0) {
      headers.set(RETRY_AFTER, Long.toString(d.retryAfterSeconds()));
    }
  }

  /** {@code "name";q=100;w=60}; {@code w} is left out when the policy has no fixed window (a monthly quota). */
  public static String policy(Decision d) {
    return rendered(d).policy();
  }

  /** {@code "name";r=42;t=17}. */
  public static String rateLimit(Decision d) {
    return rendered(d).quoted() + ";r=" + Math.max(0, d.remaining()) + ";t=" + d.resetSeconds();
  }

  private static Rendered rendered(Decision d) {
    Rendered known = RENDERED.get(d.policy());
    if (known != null && known.limit() == d.limit() && known.window() == d.windowSeconds()) {
      return known;
    }
    String quoted = known != null ? known.quoted() : sfString(d.policy());
    StringBuilder policy = new StringBuilder(48).append(quoted).append(";q=").append(d.limit());
    if (d.windowSeconds() > 0) {
      policy.append(";w=").append(d.windowSeconds());
    }
    Rendered made = new Rendered(quoted, d.limit(), d.windowSeconds(), policy.toString());
    RENDERED.put(d.policy(), made);
    return made;
  }

  /** An RFC 8941 sf-string: quoted, with {@code "} and {@code \} escaped. */
  static String sfString(String s) {
    StringBuilder out = new StringBuilder(s.length() + 2).append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '"' || c == '\\') {
        out.append('\\');
      }
      out.append(c >= 0x20 && c < 0x7f ? c : '?');
    }
    return out.append('"').toString();
  }
}
