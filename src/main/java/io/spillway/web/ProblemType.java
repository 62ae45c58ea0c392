package io.spillway.web;

/**
 * Every kind of problem the API answers with: its status, the stable slug of its {@code type} URI (clients
 * branch on it) and its fixed title. The one catalogue; docs/api.md lists the same types.
 */
public enum ProblemType {
  BAD_REQUEST(400, "bad-request", "Bad request"),
  INVALID_FIELD(400, "invalid-field", "Invalid field"),
  MALFORMED_JSON(400, "malformed-json", "Malformed JSON"),
  INVALID_CONFIG(400, "invalid-config", "Invalid configuration"),
  UNAUTHORIZED(401, "unauthorized", "Unauthorized"),
  INVALID_API_KEY(401, "invalid-api-key", "Invalid API key"),
  INVALID_CREDENTIALS(401, "invalid-credentials", "Invalid credentials"),
  FORBIDDEN(403, "forbidden", "Forbidden"),
  NOT_FOUND(404, "not-found", "Not found"),
  METHOD_NOT_ALLOWED(405, "method-not-allowed", "Method not allowed"),
  NOT_ACCEPTABLE(406, "not-acceptable", "Not acceptable"),
  CONFLICT(409, "conflict", "Conflict"),
  PAYLOAD_TOO_LARGE(413, "payload-too-large", "Payload too large"),
  URI_TOO_LONG(414, "uri-too-long", "URI too long"),
  UNSUPPORTED_MEDIA_TYPE(415, "unsupported-media-type", "Unsupported media type"),
  IDEMPOTENCY_KEY_REUSED(422, "idempotency-key-reused", "Idempotency-Key reused"),
  /** The type URI carries the policy: {@code rate-limited/<policy>}. */
  RATE_LIMITED(429, "rate-limited", "Too many requests"),
  QUOTA_EXCEEDED(429, "quota-exceeded", "Quota exceeded"),
  TOO_MANY_CONCURRENT_REQUESTS(429, "too-many-concurrent-requests", "Too many concurrent requests"),
  TOO_MANY_CONNECTIONS(429, "too-many-connections", "Too many connections"),
  HEADERS_TOO_LARGE(431, "headers-too-large", "Request header fields too large"),
  INTERNAL(500, "internal", "Internal server error"),
  UNAVAILABLE(503, "unavailable", "Service unavailable"),
  OVERLOADED(503, "overloaded", "Service overloaded"),
  RATE_LIMIT_UNAVAILABLE(503, "rate-limit-unavailable", "Service unavailable");

  public static final String TYPE_BASE = "https://spillway.dev/problems/";

  private final int status;
  private final String slug;
  private final String title;

  ProblemType(int status, String slug, String title) {
    this.status = status;
    this.slug = slug;
    this.title = title;
  }

  public int status() {
    return status;
  }

  public String slug() {
    return slug;
  }

  public String title() {
    return title;
  }

  public String uri() {
    return TYPE_BASE + slug;
  }

  /** A problem of this type with what was wrong with this request. */
  public Problem with(String detail) {
    return new Problem(uri(), title, status, detail);
  }
}
