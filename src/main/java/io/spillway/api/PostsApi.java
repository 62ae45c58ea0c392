package io.spillway.api;

import io.spillway.web.Caller;
import io.spillway.data.DataClient;
import io.spillway.web.Ids;
import io.spillway.data.Model;
import io.spillway.data.Requests;
import io.vertx.core.Future;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

import java.util.Set;

/** Posts, their comments and likes. */
final class PostsApi {
  static final int MAX_TEXT = 5000;
  private final DataClient data;
  private final Idempotency idempotency;

  PostsApi(DataClient data, Idempotency idempotency) {
    this.data = data;
    this.idempotency = idempotency;
  }

  void mount(Routes routes) {
    routes.addJson(HttpMethod.POST, "/v1/posts", Routes.Access.REQUIRED, this::create);
    routes.add(HttpMethod.GET, "/v1/posts/:id", Routes.Access.OPTIONAL, this::get);
    routes.add(HttpMethod.DELETE, "/v1/posts/:id", Routes.Access.REQUIRED, this::delete);
    routes.addJson(HttpMethod.POST, "/v1/posts/:id/comments", Routes.Access.REQUIRED, this::comment);
    routes.add(HttpMethod.GET, "/v1/posts/:id/comments", Routes.Access.OPTIONAL, this::comments);
    routes.add(HttpMethod.PUT, "/v1/posts/:id/like", Routes.Access.REQUIRED, ctx -> like(ctx, true));
    routes.add(HttpMethod.DELETE, "/v1/posts/:id/like", Routes.Access.REQUIRED, ctx -> like(ctx, false));
  }

  Future<ApiResponse> create(RoutingContext ctx, JsonObject body) {
    String text = Fields.of(body, Set.of("text")).required("text", 1, MAX_TEXT);
    long author = Caller.of(ctx).userId();
    return idempotency.run(ctx, () -> data.call(new Requests.CreatePost(author, text))
        .map(p -> ApiResponse.created(Representations.post(p), "/v1/posts/" + Ids.format(p.id()))));
  }

  Future<ApiResponse> get(RoutingContext ctx) {
    long id = Params.id(ctx, "id");
    return data.call(new Requests.GetPost(id, Caller.of(ctx).userId()))
        .map(p -> ApiResponse.ok(Representations.post(p)));
  }

  Future<ApiResponse> delete(RoutingContext ctx) {
    long id = Params.id(ctx, "id");
    return data.call(new Requests.DeletePost(id, Caller.of(ctx).userId())).map(v -> ApiResponse.noContent());
  }

  Future<ApiResponse> comment(RoutingContext ctx, JsonObject body) {
    long postId = Params.id(ctx, "id");
    String text = Fields.of(body, Set.of("text")).required("text", 1, MAX_TEXT);
    long author = Caller.of(ctx).userId();
    return idempotency.run(ctx, () -> data.call(new Requests.CreateComment(postId, author, text))
        .map(c -> ApiResponse.created(Representations.comment(c),
            "/v1/posts/" + Ids.format(postId) + "/comments/" + Ids.format(c.id()))));
  }

  Future<ApiResponse> comments(RoutingContext ctx) {
    long postId = Params.id(ctx, "id");
    return data.call(new Requests.ListComments(postId, Params.cursor(ctx),
            Params.limit(ctx), Caller.of(ctx).userId()))
        .map(page -> ApiResponse.ok(Representations.page(page, Representations::comment)));
  }

  Future<ApiResponse> like(RoutingContext ctx, boolean liked) {
    long postId = Params.id(ctx, "id");
    return data.call(new Requests.SetLike(postId, Caller.of(ctx).userId(), liked))
        .map(l -> ApiResponse.ok(new JsonObject().put("postId", Ids.format(l.postId())).put("liked", l.liked())
            .put("likeCount", l.likeCount())));
  }
}
