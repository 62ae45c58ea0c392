package io.spillway.push;

import io.spillway.testkit.Await;
import io.spillway.testkit.SpillwayApp;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.List;

/** Reads a channel's history straight from Redis, to wait until the pipeline has written it. */
final class HistoryProbe {
  private HistoryProbe() {}

  static long length(SpillwayApp app, String channel) {
    Response r = send(app, Request.cmd(Command.XLEN).arg(ChannelHistory.key(channel)));
    return r == null ? 0 : r.toLong();
  }

  /** The oldest offset still in history, -1 when there is none. */
  static long first(SpillwayApp app, String channel) {
    Response r = send(app, Request.cmd(Command.XRANGE).arg(ChannelHistory.key(channel)).arg("-").arg("+")
        .arg("COUNT").arg(1));
    if (r == null || r.size() == 0) {
      return -1;
    }
    String id = r.get(0).get(0).toString();
    return Long.parseLong(id.substring(0, id.indexOf('-')));
  }

  /** Every entry of the channel's history, oldest first, as "offset event-id". */
  static List<String> entries(SpillwayApp app, String channel) {
    Response r = send(app, Request.cmd(Command.XRANGE).arg(ChannelHistory.key(channel)).arg("-").arg("+"));
    List<String> out = new ArrayList<>();
    for (int i = 0; r != null && i < r.size(); i++) {
      String id = r.get(i).get(0).toString();
      Response fields = r.get(i).get(1);
      for (int f = 0; f + 1 < fields.size(); f += 2) {
        if (fields.get(f).toString().equals("e")) {
          out.add(id.substring(0, id.indexOf('-')) + " " + new JsonObject(fields.get(f + 1).toString()).getString("id"));
        }
      }
    }
    return out;
  }

  private static Response send(SpillwayApp app, Request request) {
    Redis redis = Redis.createClient(app.clientVertx(), app.config().redis().uri());
    try {
      return Await.result(redis.send(request));
    } finally {
      redis.close();
    }
  }
}
