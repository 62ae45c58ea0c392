package io.spillway.web;

import io.vertx.core.json.JsonObject;

/**
 * An RFC 9457 problem. {@code type} is a stable URI naming the kind of problem (see {@link ProblemType}),
 * {@code title} a short fixed summary, {@code detail} what was wrong with this request.
 */
public record Problem(String type, String title, int status, String detail) {
  public static final String CONTENT_TYPE = "application/problem+json";

  public static Problem badRequest(String detail) {
    return ProblemType.BAD_REQUEST.with(detail);
  }

  public static Problem invalidField(String field, String detail) {
    return ProblemType.INVALID_FIELD.with(field + ": " + detail);
  }

  public static Problem unauthorized(String detail) {
    return ProblemType.UNAUTHORIZED.with(detail);
  }

  public static Problem forbidden(String detail) {
    return ProblemType.FORBIDDEN.with(detail);
  }

  public static Problem notFound(String detail) {
    return ProblemType.NOT_FOUND.with(detail);
  }

  public static Problem conflict(String detail) {
    return ProblemType.CONFLICT.with(detail);
  }

  public static Problem unavailable(String detail) {
    return ProblemType.UNAVAILABLE.with(detail);
  }

  /** A 429 refused by the rate-limit policy {@code policy}: the type names the policy. */
  public static Problem rateLimited(String policy, String detail) {
    return new Problem(ProblemType.RATE_LIMITED.uri() + "/" + policy, ProblemType.RATE_LIMITED.title(), 429, detail);
  }

  /** A status the catalogue has no type for (an unusual 4xx from a library). */
  static Problem ofStatus(int status, String detail) {
    return new Problem(ProblemType.TYPE_BASE + "http-" + status, "HTTP " + status, status, detail);
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
