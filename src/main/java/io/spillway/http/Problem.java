package io.spillway.http;

import io.vertx.core.json.JsonObject;

/**
 * An RFC 9457 problem. {@code type} is a stable URI naming the kind of problem (clients branch on it), {@code
 * title} a short fixed summary, {@code detail} what was wrong with this request.
 */
public record Problem(String type, String title, int status, String detail) {
  public static final String TYPE_BASE = "https://spillway.dev/problems/";
  public static final String CONTENT_TYPE = "application/problem+json";

  public static Problem of(int status, String slug, String title, String detail) {
    return new Problem(TYPE_BASE + slug, title, status, detail);
  }

  public static Problem badRequest(String detail) {
    return of(400, "bad-request", "Bad request", detail);
  }

  public static Problem invalidField(String field, String detail) {
    return of(400, "invalid-field", "Invalid field", field + ": " + detail);
  }

  public static Problem unauthorized(String detail) {
    return of(401, "unauthorized", "Unauthorized", detail);
  }

  public static Problem forbidden(String detail) {
    return of(403, "forbidden", "Forbidden", detail);
  }

  public static Problem notFound(String detail) {
    return of(404, "not-found", "Not found", detail);
  }

  public static Problem conflict(String detail) {
    return of(409, "conflict", "Conflict", detail);
  }

  public JsonObject toJson(String instance, String requestId) {
    JsonObject json = new JsonObject()
        .put("type", type)
        .put("title", title)
        .put("status", status)
        .put("detail", detail);
    if (instance != null) {
      json.put("instance", instance);
    }
    if (requestId != null) {
      json.put("requestId", requestId);
    }
    return json;
  }
}
