package io.spillway.web;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

/** Reads a request's JSON object body: 415 when it is not JSON, 400 when it does not parse or is not an object. */
public final class JsonBodies {
  private JsonBodies() {}

  public static JsonObject object(RoutingContext ctx) {
    String type = ctx.request().getHeader(HttpHeaders.CONTENT_TYPE);
    if (!isJson(type)) {
      throw new ProblemException(ProblemType.UNSUPPORTED_MEDIA_TYPE.with(
          "the request body must be application/json, got " + (type == null ? "no Content-Type" : type)));
    }
    Buffer body = ctx.body().buffer();
    if (body == null || body.length() == 0) {
      throw new ProblemException(Problem.badRequest("a JSON object body is required"));
    }
    Object value;
    try {
      value = body.toJsonValue();
    } catch (DecodeException e) {
      throw new ProblemException(ProblemType.MALFORMED_JSON.with("the request body is not valid JSON"));
    }
    if (!(value instanceof JsonObject object)) {
      throw new ProblemException(Problem.badRequest("the request body must be a JSON object"));
    }
    return object;
  }

  static boolean isJson(String contentType) {
    if (contentType == null) {
      return false;
    }
    int semi = contentType.indexOf(';');
    String mime = (semi < 0 ? contentType : contentType.substring(0, semi)).trim().toLowerCase();
    return mime.equals("application/json") || (mime.startsWith("application/") && mime.endsWith("+json"));
  }
}
