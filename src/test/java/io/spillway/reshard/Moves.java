package io.spillway.reshard;

import io.spillway.testkit.Await;
import io.spillway.testkit.ShardDb;
import io.spillway.testkit.SpillwayApp;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.client.WebClient;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/** What the shard-move tests ask a node's management port and look at in the databases. */
final class Moves {
  static final Duration DEADLINE = Duration.ofSeconds(60);

  private Moves() {}

  static HttpResponse<Buffer> admin(WebClient client, int port, HttpMethod method, String path, JsonObject body) {
    var req = SpillwayApp.admin(client, method, port, path);
    return Await.result(body == null ? req.send() : req.sendJsonObject(body));
  }

  static JsonObject status(WebClient client, int port) {
    HttpResponse<Buffer> r = admin(client, port, HttpMethod.GET, "/admin/shards", null);
    if (r.statusCode() != 200) {
      throw new AssertionError("GET /admin/shards: " + r.statusCode() + " " + r.bodyAsString());
    }
    return r.bodyAsJsonObject();
  }

  /** The newest move of {@code logical} as the status lists it, or null. */
  static JsonObject latest(JsonObject status, int logical) {
    for (Object o : status.getJsonArray("moves")) {
      JsonObject m = (JsonObject) o;
      if (m.getInteger("logical") == logical) {
        return m;
      }
    }
    return null;
  }

  /** Waits until the newest move of {@code logical} matches, and returns it. */
  static JsonObject await(WebClient client, int port, int logical, String what, Predicate<JsonObject> match) {
    return Await.untilPresent("the move of logical shard " + logical + ": " + what, DEADLINE, () -> {
      JsonObject m = latest(status(client, port), logical);
      return m != null && match.test(m) ? m : null;
    });
  }

  static Predicate<JsonObject> phase(String phase) {
    return m -> phase.equals(m.getString("phase"));
  }

  /** Every row of {@code logical} in {@code database}, per table, as JSON text in key order. */
  static Map<String, List<String>> contents(String database, int logical) {
    Map<String, List<String>> out = new LinkedHashMap<>();
    try (ShardDb db = new ShardDb(database)) {
      for (MovedTable t : MovedTable.ALL) {
        String order = String.join(", ", t.key().stream().map(MovedTable.Key::column).toList());
        out.put(t.name(), db.query("SELECT to_jsonb(t)::text FROM " + t.name() + " t WHERE " + t.placement()
            + " = $1 ORDER BY " + order, logical).stream().map(r -> r.getString(0)).toList());
      }
    }
    return out;
  }

  static long rows(Map<String, List<String>> contents) {
    return contents.values().stream().mapToLong(List::size).sum();
  }
}
