package io.spillway.server;

import io.netty.handler.codec.TooLongFrameException;
import io.spillway.web.Problem;
import io.spillway.web.ProblemType;
import io.spillway.web.RequestIds;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;

/**
 * Answers requests the HTTP codec could not decode (header section or request line too large, garbage)
 * with a problem, before any routing: 431, 414 or 400.
 */
final class InvalidRequests {
  private InvalidRequests() {}

  static void handle(HttpServerRequest request) {
    Throwable cause = request.decoderResult().cause();
    Problem problem;
    if (cause instanceof TooLongFrameException && cause.getMessage() != null
        && cause.getMessage().contains("header")) {
      problem = ProblemType.HEADERS_TOO_LARGE.with("the request's header section is larger than the server accepts");
    } else if (cause instanceof TooLongFrameException) {
      problem = ProblemType.URI_TOO_LONG.with("the request line is longer than the server accepts");
    } else {
      problem = Problem.badRequest("the request could not be decoded");
    }
    String id = RequestIds.generate();
    request.response()
        .setStatusCode(problem.status())
        .putHeader(HttpHeaders.CONTENT_TYPE, Problem.CONTENT_TYPE)
        .putHeader(RequestIds.HEADER, id)
        .putHeader(HttpHeaders.CONNECTION, "close")
        .end(problem.toJson(null, id).toBuffer())
        .onComplete(ar -> request.connection().close());
  }
}
