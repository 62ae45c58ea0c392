package io.spillway.api;

import io.spillway.config.ApiConfig;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.RoutingContext;

import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

/**
 * The API version a request is answered in: {@code /v2} paths are v2; a {@code /v1} path is v2 when the
 * request asks for {@value #V2_MEDIA_TYPE} in {@code Accept}, else v1. Every versioned response says {@code
 * Vary: Accept}; a v1 response also carries the deprecation headers of {@code api.v1} (RFC 9745
 * {@code Deprecation}, RFC 8594 {@code Sunset}, and {@code Link: <the v2 path>; rel="successor-version"}).
 * See docs/versioning.md.
 */
enum ApiVersion {
  V1, V2;

  static final String V2_MEDIA_TYPE = "application/vnd.spillway.v2+json";
  private static final String KEY = "spillway.apiVersion";
  private static final String MEDIA_KEY = "spillway.mediaType";
  /** IMF-fixdate (RFC 9110), always two-digit days. */
  private static final DateTimeFormatter HTTP_DATE =
      DateTimeFormatter.ofPattern("EEE, dd MMM yyyy HH:mm:ss 'GMT'", Locale.US).withZone(ZoneOffset.UTC);

  static ApiVersion of(RoutingContext ctx) {
    ApiVersion v = ctx.get(KEY);
    return v == null ? V1 : v;
  }

  /** The Content-Type of a JSON answer to this request: the vendor type when the client asked for it. */
  static String mediaType(RoutingContext ctx) {
    String type = ctx.get(MEDIA_KEY);
    return type == null ? "application/json" : type;
  }

  /** True when {@code accept} lists the v2 media type (with any parameters but {@code q=0}). */
  static boolean acceptsV2(String accept) {
    if (accept == null || accept.length() < V2_MEDIA_TYPE.length()) {
      return false;
    }
    for (String range : accept.split(",")) {
      String[] parts = range.split(";");
      if (parts[0].trim().equalsIgnoreCase(V2_MEDIA_TYPE)) {
        for (int i = 1; i < parts.length; i++) {
          String p = parts[i].trim().replace(" ", "");
          if (p.equals("q=0") || p.equals("q=0.0") || p.equals("q=0.00") || p.equals("q=0.000")) {
            return false;
          }
        }
        return true;
      }
    }
    return false;
  }

  /** The first handler of every versioned route: decides the version and writes the version headers. */
  static final class Headers {
    // Names and fixed values made once, hash included: these go on every v1 answer.
    private static final CharSequence DEPRECATION = HttpHeaders.createOptimized("Deprecation");
    private static final CharSequence SUNSET = HttpHeaders.createOptimized("Sunset");
    private static final CharSequence LINK = HttpHeaders.createOptimized("Link");
    private static final CharSequence ACCEPT = HttpHeaders.createOptimized("Accept");
    private final String deprecation;
    private final String sunset;
    private final String deprecationLink;

    Headers(ApiConfig config) {
      this.deprecation = config.v1Deprecation() == null ? null : "@" + config.v1Deprecation().getEpochSecond();
      this.sunset = config.v1Sunset() == null ? null : HTTP_DATE.format(config.v1Sunset());
      this.deprecationLink = config.v1DeprecationLink().isEmpty() ? null
          : "<" + config.v1DeprecationLink() + ">; rel=\"deprecation\"";
    }

    Handler<RoutingContext> handler(ApiVersion routeVersion) {
      return routeVersion == V2 ? this::v2 : this::v1;
    }

    private void v2(RoutingContext ctx) {
      ctx.put(KEY, V2);
      if (acceptsV2(ctx.request().getHeader(HttpHeaders.ACCEPT))) {
        ctx.put(MEDIA_KEY, V2_MEDIA_TYPE);
      }
      ctx.response().putHeader(HttpHeaders.VARY, ACCEPT);
      ctx.next();
    }

    private void v1(RoutingContext ctx) {
      HttpServerRequest request = ctx.request();
      ctx.response().putHeader(HttpHeaders.VARY, ACCEPT);
      if (acceptsV2(request.getHeader(HttpHeaders.ACCEPT))) {
        ctx.put(KEY, V2);
        ctx.put(MEDIA_KEY, V2_MEDIA_TYPE);
        ctx.next();
        return;
      }
      ctx.put(KEY, V1);
      if (deprecation != null) {
        ctx.response().putHeader(DEPRECATION, deprecation);
      }
      if (sunset != null) {
        ctx.response().putHeader(SUNSET, sunset);
      }
      String successor = successor(request.path());
      if (successor != null) {
        ctx.response().headers().add(LINK, "<" + successor + ">; rel=\"successor-version\"");
      }
      if (deprecationLink != null) {
        ctx.response().headers().add(LINK, deprecationLink);
      }
      ctx.next();
    }
  }

  /** {@code /v1/users/42} -> {@code /v2/users/42}; null for a path that cannot go into a header as is. */
  static String successor(String v1Path) {
    if (v1Path == null || !v1Path.startsWith("/v1/") || v1Path.length() > 512) {
      return null;
    }
    for (int i = 0; i < v1Path.length(); i++) {
      char c = v1Path.charAt(i);
      if (!(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '/' || c == '-'
          || c == '_' || c == '.' || c == '~' || c == '%')) {
        return null;
      }
    }
    return "/v2" + v1Path.substring(3);
  }
}
