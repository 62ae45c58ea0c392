package io.spillway.server;

import io.spillway.config.DataConfig;
import io.spillway.reshard.ReshardVerticle;
import io.spillway.web.JsonBodies;
import io.spillway.web.Problem;
import io.spillway.web.Problems;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

import java.util.ArrayList;
import java.util.List;

/**
 * The shard admin routes of the management port: {@code GET /admin/shards} (the map, its version on this
 * node and the moves), {@code POST /admin/shards/{logical}/move} with {@code {"to": <database>}} (the
 * database's index in {@code data.shards} or its unique {@code database} name; 202, the move runs in the
 * background), {@code DELETE /admin/shards/{logical}/move} (cancel before the cut-over) and {@code POST
 * /admin/shards/{logical}/cleanup} (remove a finished move's rows from its source). The requests are checked
 * here; the moves live in {@link ReshardVerticle}.
 */
final class ShardAdmin {
  /** Removing a large shard's rows from its old database takes a while; the caller waits for it. */
  private static final DeliveryOptions LONG = new DeliveryOptions().setSendTimeout(600_000);
  private final Vertx vertx;
  private final DataConfig data;

  ShardAdmin(Vertx vertx, DataConfig data) {
    this.vertx = vertx;
    this.data = data;
  }

  void status(RoutingContext ctx) {
    call(ctx, ReshardVerticle.STATUS, new JsonObject(), 200);
  }

  void move(RoutingContext ctx) {
    Integer logical = logical(ctx);
    if (logical == null) {
      return;
    }
    JsonObject body = JsonBodies.object(ctx);
    if (body.size() != 1 || !body.containsKey("to")) {
      Problems.send(ctx, Problem.invalidField("to", "the body is {\"to\": <database>}: a database's index in "
          + "data.shards or its name"));
      return;
    }
    int target = database(body.getValue("to"));
    if (target < 0) {
      Problems.send(ctx, Problem.invalidField("to", "names no database of data.shards; known: " + known()));
      return;
    }
    call(ctx, ReshardVerticle.MOVE, new JsonObject().put("logical", logical).put("target", target), 202);
  }

  void cancel(RoutingContext ctx) {
    Integer logical = logical(ctx);
    if (logical != null) {
      call(ctx, ReshardVerticle.CANCEL, new JsonObject().put("logical", logical), 202);
    }
  }

  void cleanup(RoutingContext ctx) {
    Integer logical = logical(ctx);
    if (logical != null) {
      call(ctx, ReshardVerticle.CLEANUP, new JsonObject().put("logical", logical), 200);
    }
  }

  /** The path's logical shard, or null after answering 400. */
  private Integer logical(RoutingContext ctx) {
    String raw = ctx.pathParam("logical");
    if (raw == null || !raw.matches("(0|[1-9][0-9]{0,3})") || Integer.parseInt(raw) >= data.logicalShards()) {
      Problems.send(ctx, Problem.invalidField("logical", "must be a logical shard, 0.." + (data.logicalShards() - 1)));
      return null;
    }
    return Integer.parseInt(raw);
  }

  /** The index of the database {@code to} names (an index, or a name only one shard has); -1 when none. */
  private int database(Object to) {
    if (to instanceof Integer i) {
      return i >= 0 && i < data.shards().size() ? i : -1;
    }
    if (!(to instanceof String name)) {
      return -1;
    }
    int found = -1;
    for (int i = 0; i < data.shards().size(); i++) {
      if (data.shards().get(i).database().equals(name)) {
        if (found >= 0) {
          return -1;
        }
        found = i;
      }
    }
    return found;
  }

  private String known() {
    List<String> out = new ArrayList<>();
    for (int i = 0; i < data.shards().size(); i++) {
      out.add(i + " (" + data.shards().get(i).database() + ")");
    }
    return String.join(", ", out);
  }

  private void call(RoutingContext ctx, String address, JsonObject body, int status) {
    vertx.eventBus().<JsonObject>request(address, body, LONG).onComplete(ar -> {
      if (ar.succeeded()) {
        ctx.response().setStatusCode(status).putHeader("Content-Type", "application/json").end(ar.result().body().encode());
        return;
      }
      Throwable err = ar.cause();
      if (err instanceof ReplyException re && re.failureType() == ReplyFailure.RECIPIENT_FAILURE) {
        Problems.send(ctx, switch (re.failureCode()) {
          case 404 -> Problem.notFound(re.getMessage());
          case 409 -> Problem.conflict(re.getMessage());
          default -> Problem.unavailable(re.getMessage());
        });
      } else {
        Problems.send(ctx, Problem.unavailable("the shard mover did not answer, try again"));
      }
    });
  }
}
