package io.spillway.api;

import io.vertx.core.Future;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.function.BiFunction;
import java.util.function.Function;

/**
 * The v2 shapes, made from the v1 ones (which stay exactly as they were) by one function per resource. What
 * v2 changes (docs/versioning.md): timestamps always carry milliseconds, a post embeds its author instead
 * of naming it in {@code authorId}, counts are grouped under {@code stats}, every list is the page envelope
 * {@code {data, page: {next}, links: {self, next}}}, and resources link to each other.
 */
final class V2Representations {
  /** RFC 3339 UTC with exactly three fraction digits, so clients can parse and sort them as strings. */
  private static final DateTimeFormatter TIME =
      DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);

  /** A v1 response body to its v2 body; may look something up (a comment's author). */
  interface Shape extends BiFunction<RoutingContext, JsonObject, Future<JsonObject>> {}

  private static final Shape SAME = (ctx, json) -> Future.succeededFuture(json);

  private final CachedReads reads;

  V2Representations(CachedReads reads) {
    this.reads = reads;
  }

  /** How the answer of the v1 route {@code METHOD template} becomes v2. */
  Shape forRoute(HttpMethod method, String v1Template) {
    String route = method.name() + " " + v1Template;
    return switch (route) {
      case "POST /v1/users", "GET /v1/users/:id", "PATCH /v1/users/:id" -> sync(V2Representations::user);
      case "GET /v1/users/:id/posts", "GET /v1/feed" -> (ctx, json) -> Future.succeededFuture(page(ctx, json, V2Representations::post));
      case "GET /v1/users/:id/followers", "GET /v1/users/:id/following" ->
          (ctx, json) -> Future.succeededFuture(page(ctx, json, V2Representations::follow));
      case "POST /v1/posts" -> sync(V2Representations::post);
      case "POST /v1/posts/:id/comments" -> this::createdComment;
      case "GET /v1/posts/:id/comments" -> (ctx, json) -> Future.succeededFuture(page(ctx, json, V2Representations::comment));
      case "PUT /v1/posts/:id/like", "DELETE /v1/posts/:id/like" -> sync(V2Representations::like);
      case "POST /v1/api-keys" -> sync(V2Representations::apiKey);
      case "GET /v1/api-keys" -> (ctx, json) -> Future.succeededFuture(page(ctx, json, V2Representations::apiKey));
      default -> SAME;
    };
  }

  private static Shape sync(Function<JsonObject, JsonObject> f) {
    return (ctx, json) -> Future.succeededFuture(f.apply(json));
  }

  static String time(String iso) {
    return iso == null ? null : TIME.format(Instant.parse(iso));
  }

  static String time(Instant instant) {
    return instant == null ? null : TIME.format(instant);
  }

  static JsonObject user(JsonObject v1) {
    String id = v1.getString("id");
    JsonObject json = new JsonObject()
        .put("id", id)
        .put("name", v1.getString("name"))
        .put("bio", v1.getString("bio"))
        .put("createdAt", time(v1.getString("createdAt")));
    if (v1.containsKey("email")) {
      json.put("email", v1.getString("email"));
    }
    return json
        .put("stats", new JsonObject().put("posts", v1.getInteger("postCount"))
            .put("followers", v1.getInteger("followerCount")).put("following", v1.getInteger("followingCount")))
        .put("links", new JsonObject().put("self", "/v2/users/" + id).put("posts", "/v2/users/" + id + "/posts")
            .put("followers", "/v2/users/" + id + "/followers").put("following", "/v2/users/" + id + "/following"));
  }

  /** A post without its author (the cached form: the author is spliced in last, see {@link CachedReads}). */
  static JsonObject postWithoutAuthor(JsonObject v1) {
    String id = v1.getString("id");
    return new JsonObject()
        .put("id", id)
        .put("text", v1.getString("text"))
        .put("createdAt", time(v1.getString("createdAt")))
        .put("stats", new JsonObject().put("likes", v1.getInteger("likeCount"))
            .put("comments", v1.getInteger("commentCount")))
        .put("links", new JsonObject().put("self", "/v2/posts/" + id).put("comments", "/v2/posts/" + id + "/comments")
            .put("author", "/v2/users/" + v1.getString("authorId")));
  }

  static JsonObject post(JsonObject v1) {
    return postWithoutAuthor(v1).put("author", author(v1));
  }

  static JsonObject comment(JsonObject v1) {
    return new JsonObject()
        .put("id", v1.getString("id"))
        .put("postId", v1.getString("postId"))
        .put("text", v1.getString("text"))
        .put("createdAt", time(v1.getString("createdAt")))
        .put("author", author(v1));
  }

  /** A new comment names only its author's id in v1; v2 shows the author's name as well (cached). */
  private Future<JsonObject> createdComment(RoutingContext ctx, JsonObject v1) {
    if (v1.getJsonObject("author") != null) {
      return Future.succeededFuture(comment(v1));
    }
    long authorId = Long.parseLong(v1.getString("authorId"));
    return reads.authorRef(authorId).map(ref -> comment(v1.copy().put("author", new JsonObject(ref))));
  }

  private static JsonObject author(JsonObject v1) {
    JsonObject author = v1.getJsonObject("author");
    return author != null ? author.copy() : new JsonObject().put("id", v1.getString("authorId")).putNull("name");
  }

  static JsonObject follow(JsonObject v1) {
    return new JsonObject()
        .put("user", new JsonObject().put("id", v1.getString("id")).put("name", v1.getString("name")))
        .put("since", time(v1.getString("since")));
  }

  static JsonObject like(JsonObject v1) {
    return new JsonObject()
        .put("postId", v1.getString("postId"))
        .put("liked", v1.getBoolean("liked"))
        .put("stats", new JsonObject().put("likes", v1.getInteger("likeCount")));
  }

  static JsonObject apiKey(JsonObject v1) {
    JsonObject json = new JsonObject()
        .put("id", v1.getString("id"))
        .put("name", v1.getString("name"))
        .put("prefix", v1.getString("prefix"))
        .put("plan", v1.getString("plan"))
        .put("createdAt", time(v1.getString("createdAt")))
        .put("lastUsedAt", time(v1.getString("lastUsedAt")));
    if (v1.containsKey("key")) {
      json.put("key", v1.getString("key"));
    }
    return json;
  }

  /** {@code {items, next}} -> {@code {data, page: {next}, links: {self, next}}}, links on the v2 paths. */
  static JsonObject page(RoutingContext ctx, JsonObject v1, Function<JsonObject, JsonObject> item) {
    JsonArray data = new JsonArray();
    for (Object o : v1.getJsonArray("items")) {
      data.add(item.apply((JsonObject) o));
    }
    String next = v1.getString("next");
    String path = ctx.request().path();
    String v2Path = path.startsWith("/v1/") ? "/v2" + path.substring(3) : path;
    String query = ctx.request().query();
    String limit = ctx.request().getParam("limit");
    return new JsonObject()
        .put("data", data)
        .put("page", new JsonObject().put("next", next))
        .put("links", new JsonObject()
            .put("self", query == null || query.isEmpty() ? v2Path : v2Path + "?" + query)
            .put("next", next == null ? null : v2Path + "?" + (limit == null ? "" : "limit=" + limit + "&") + "cursor=" + next));
  }
}
