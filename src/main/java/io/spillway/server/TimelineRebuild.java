package io.spillway.server;

import io.spillway.data.DataClient;
import io.spillway.data.Requests;
import io.spillway.web.Ids;
import io.spillway.web.Problem;
import io.spillway.web.Problems;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

/**
 * {@code POST /admin/feed/{userId}/rebuild}: rebuilds the user's feed timeline from the posts tables, replacing
 * the one in Redis (after a Redis data loss, or to check a timeline). Answers the number of posts written;
 * 409 when timelines are off ({@code feed.timelines}) or another rebuild took the timeline over meanwhile.
 */
final class TimelineRebuild {
  private final DataClient data;

  TimelineRebuild(DataClient data) {
    this.data = data;
  }

  void handle(RoutingContext ctx) {
    long id = Ids.parse(ctx.pathParam("id"));
    if (id < 0) {
      Problems.send(ctx, Problem.invalidField("id", "must be a positive decimal 64-bit id"));
      return;
    }
    data.call(new Requests.RebuildTimeline(id)).onComplete(ar -> {
      if (ar.failed()) {
        ctx.fail(ar.cause());
      } else if (ar.result() < 0) {
        Problems.send(ctx, Problem.conflict("the timeline is not rebuilt: feed.timelines is off, or another "
            + "rebuild of it is under way"));
      } else {
        ctx.response().putHeader("Content-Type", "application/json")
            .end(new JsonObject().put("userId", Ids.format(id)).put("posts", ar.result()).encode());
      }
    });
  }
}
