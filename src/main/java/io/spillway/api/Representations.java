package io.spillway.api;

import io.spillway.web.Ids;
import io.spillway.data.Model;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.List;
import java.util.function.Function;

/** The JSON shapes of the API. Ids are strings; times are ISO-8601 UTC. */
final class Representations {
  private Representations() {}

  static JsonObject user(Model.User u, boolean self) {
    JsonObject json = new JsonObject()
        .put("id", Ids.format(u.id()))
        .put("name", u.name())
        .put("bio", u.bio())
        .put("postCount", u.postCount())
        .put("followerCount", u.followerCount())
        .put("followingCount", u.followingCount())
        .put("createdAt", u.createdAt().toString());
    if (self) {
      json.put("email", u.email());
    }
    return json;
  }

  static JsonObject ref(Model.UserRef r) {
    return new JsonObject().put("id", Ids.format(r.id())).put("name", r.name());
  }

  static JsonObject post(Model.Post p) {
    JsonObject json = new JsonObject()
        .put("id", Ids.format(p.id()))
        .put("authorId", Ids.format(p.authorId()))
        .put("text", p.text())
        .put("likeCount", p.likeCount())
        .put("commentCount", p.commentCount())
        .put("createdAt", p.createdAt().toString());
    if (p.author() != null) {
      json.put("author", ref(p.author()));
    }
    return json;
  }

  static JsonObject comment(Model.Comment c) {
    JsonObject json = new JsonObject()
        .put("id", Ids.format(c.id()))
        .put("postId", Ids.format(c.postId()))
        .put("authorId", Ids.format(c.authorId()))
        .put("text", c.text())
        .put("createdAt", c.createdAt().toString());
    if (c.author() != null) {
      json.put("author", ref(c.author()));
    }
    return json;
  }

  static JsonObject follow(Model.FollowEntry f) {
    return ref(f.user()).put("since", f.since().toString());
  }

  static <T> JsonObject page(Model.Page<T> page, Function<T, JsonObject> item) {
    List<JsonObject> items = page.items().stream().map(item).toList();
    return new JsonObject()
        .put("items", new JsonArray(items))
        .put("next", page.next() == null ? null : Ids.cursor(page.next()));
  }
}
