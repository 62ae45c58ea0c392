package io.spillway.api;

import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;

/** A JSON response: status, body (or none) and an optional Location. */
record ApiResponse(int status, JsonObject body, String location) {
  static ApiResponse ok(JsonObject body) {
    return new ApiResponse(200, body, null);
  }

  static ApiResponse created(JsonObject body, String location) {
    return new ApiResponse(201, body, location);
  }

  static ApiResponse noContent() {
    return new ApiResponse(204, null, null);
  }

  void send(HttpServerResponse response) {
    response.setStatusCode(status);
    if (location != null) {
      response.putHeader(HttpHeaders.LOCATION, location);
    }
    if (body == null) {
      response.end();
    } else {
      response.putHeader(HttpHeaders.CONTENT_TYPE, "application/json").end(body.toBuffer());
    }
  }

  /** How a response is stored for an Idempotency-Key replay. */
  JsonObject toJson() {
    return new JsonObject().put("body", body).put("location", location);
  }

  static ApiResponse fromJson(int status, JsonObject stored) {
    return new ApiResponse(status, stored.getJsonObject("body"), stored.getString("location"));
  }
}
