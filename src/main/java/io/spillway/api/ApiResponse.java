package io.spillway.api;

import io.spillway.cache.Entry;
import io.spillway.web.ETags;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

/**
 * A JSON response: status, the encoded body (or none), an optional Location, and how clients may cache it.
 *
 * <p>Successful reads carry a strong {@code ETag} (precomputed for cached representations, else hashed from the
 * body) and answer {@code If-None-Match} with {@code 304} and no body; they are {@code Cache-Control: private,
 * no-cache} (stored by the client, revalidated each time: counts change). Everything else is {@code no-store}.
 */
record ApiResponse(int status, Buffer body, String location, String etag, String cacheControl) {
  static final String REVALIDATE = "private, no-cache";
  static final String NO_STORE = "no-store";
  private static final CharSequence JSON = HttpHeaders.createOptimized("application/json");

  static ApiResponse ok(JsonObject body) {
    return new ApiResponse(200, body.toBuffer(), null, null, null);
  }

  /** A cached representation, sent as its bytes with its ETag. */
  static ApiResponse cached(Entry entry) {
    return new ApiResponse(200, entry.body(), null, entry.etag(), null);
  }

  static ApiResponse created(JsonObject body, String location) {
    return new ApiResponse(201, body.toBuffer(), location, null, null);
  }

  static ApiResponse noContent() {
    return new ApiResponse(204, null, null, null, null);
  }

  /** The same response, never stored by anyone (it shows a secret). */
  ApiResponse secret() {
    return new ApiResponse(status, body, location, etag, NO_STORE);
  }

  void send(RoutingContext ctx) {
    HttpServerRequest request = ctx.request();
    HttpServerResponse response = ctx.response();
    boolean read = request.method() == HttpMethod.GET || request.method() == HttpMethod.HEAD;
    if (location != null) {
      response.putHeader(HttpHeaders.LOCATION, location);
    }
    if (read && status == 200 && body != null) {
      String tag = etag != null ? etag : ETags.of(body);
      response.putHeader(HttpHeaders.ETAG, tag)
          .putHeader(HttpHeaders.CACHE_CONTROL, cacheControl != null ? cacheControl : REVALIDATE);
      if (ETags.matches(request.getHeader(HttpHeaders.IF_NONE_MATCH), tag)) {
        response.setStatusCode(304).end();
        return;
      }
    } else {
      response.putHeader(HttpHeaders.CACHE_CONTROL, cacheControl != null ? cacheControl : NO_STORE);
    }
    response.setStatusCode(status);
    if (body == null) {
      response.end();
    } else {
      response.putHeader(HttpHeaders.CONTENT_TYPE, JSON).end(body.slice());
    }
  }

  /** How a response is stored for an Idempotency-Key replay. */
  JsonObject toJson() {
    return new JsonObject().put("body", body == null ? null : new JsonObject(body)).put("location", location);
  }

  static ApiResponse fromJson(int status, JsonObject stored) {
    JsonObject body = stored.getJsonObject("body");
    return new ApiResponse(status, body == null ? null : body.toBuffer(), stored.getString("location"), null, null);
  }
}
