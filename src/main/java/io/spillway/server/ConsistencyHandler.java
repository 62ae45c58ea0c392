package io.spillway.server;

import io.spillway.web.Consistency;
import io.spillway.web.Problem;
import io.spillway.web.ProblemException;
import io.vertx.core.Context;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.RoutingContext;

/**
 * {@code Spillway-Consistency}: the token a request carries is checked (malformed, or naming a shard this
 * deployment does not have: 400) and kept for the data layer, which then reads a replica only when it has
 * replayed that far; a successful response to a request that wrote carries the token merged with the
 * positions its writes reached, so a client that always sends back the last token it got reads all its writes.
 */
final class ConsistencyHandler implements Handler<RoutingContext> {
  private final int shards;

  ConsistencyHandler(int shards) {
    this.shards = shards;
  }

  @Override
  public void handle(RoutingContext ctx) {
    String header = ctx.request().getHeader(Consistency.HEADER);
    Consistency required = null;
    if (header != null) {
      try {
        required = Consistency.parse(header);
      } catch (IllegalArgumentException e) {
        ctx.fail(new ProblemException(Problem.invalidField(Consistency.HEADER, e.getMessage())));
        return;
      }
      if (required.highestShard() >= shards) {
        ctx.fail(new ProblemException(Problem.invalidField(Consistency.HEADER,
            "names shard " + required.highestShard() + ", which this deployment does not have (0.." + (shards - 1) + ")")));
        return;
      }
      Consistency.require(required);
    }
    HttpMethod method = ctx.request().method();
    if (method == HttpMethod.GET || method == HttpMethod.HEAD) {
      // Reads write nothing: no token to add, and no handler to pay for on the busiest path.
      ctx.next();
      return;
    }
    Context request = Consistency.local();
    Consistency carried = required;
    ctx.addHeadersEndHandler(v -> {
      Consistency written = Consistency.written(request);
      int status = ctx.response().getStatusCode();
      if (written != null && status >= 200 && status < 300) {
        ctx.response().putHeader(Consistency.HEADER, written.merge(carried).toString());
      }
    });
    ctx.next();
  }
}
