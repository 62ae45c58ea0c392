package io.spillway.api;

import io.spillway.web.Ids;
import io.spillway.web.Problem;
import io.spillway.web.ProblemException;
import io.vertx.ext.web.RoutingContext;

/** Path ids and the {@code limit}/{@code cursor} query parameters, validated. */
final class Params {
  static final int DEFAULT_LIMIT = 20;
  static final int MAX_LIMIT = 100;

  private Params() {}

  static long id(RoutingContext ctx, String name) {
    long id = Ids.parse(ctx.pathParam(name));
    if (id < 0) {
      throw new ProblemException(Problem.invalidField(name, "must be a positive decimal 64-bit id"));
    }
    return id;
  }

  static int limit(RoutingContext ctx) {
    String raw = ctx.request().getParam("limit");
    if (raw == null) {
      return DEFAULT_LIMIT;
    }
    try {
      int limit = Integer.parseInt(raw);
      if (limit >= 1 && limit <= MAX_LIMIT) {
        return limit;
      }
    } catch (NumberFormatException ignored) {
      // Reported below.
    }
    throw new ProblemException(Problem.invalidField("limit", "must be an integer in 1.." + MAX_LIMIT));
  }

  /** The id to continue before: {@code Long.MAX_VALUE} for the first page. */
  static long cursor(RoutingContext ctx) {
    String raw = ctx.request().getParam("cursor");
    if (raw == null || raw.isEmpty()) {
      return Long.MAX_VALUE;
    }
    long id = Ids.parseCursor(raw);
    if (id < 0) {
      throw new ProblemException(Problem.invalidField("cursor", "is not a cursor from a previous page"));
    }
    return id;
  }
}
