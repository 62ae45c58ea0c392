package io.spillway.api;

import io.spillway.web.Caller;
import io.spillway.cache.CacheKey;
import io.spillway.cache.ReadCache;
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
  private final ReadCache cache;
  private final CachedReads reads;
  private final Idempotency idempotency;

  PostsApi(DataClient data, ReadCache cache, CachedReads reads, Idempotency idempotency) {
    this.data = data;
    this.cache = cache;
    this.reads = reads;
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
    return idempotency.write(ctx, new Requests.CreatePost(author, text),
            p -> ApiResponse.created(Representations.post(p), "/v1/posts/" + Ids.format(p.id())))
        .compose(response -> cache.wrote(CacheKey.user(author)).map(response));
  }

  Future<ApiResponse> get(RoutingContext ctx) {
    long id = Params.id(ctx, "id");
    return reads.post(id, Caller.of(ctx).userId());
  }

  Future<ApiResponse> delete(RoutingContext ctx) {
    long id = Params.id(ctx, "id");
    long actor = Caller.of(ctx).userId();
    return data.call(new Requests.DeletePost(id, actor))
        .compose(v -> cache.wrote(CacheKey.post(id), CacheKey.user(actor)).map(ApiResponse.noContent()));
  }

  Future<ApiResponse> comment(RoutingContext ctx, JsonObject body) {
    long postId = Params.id(ctx, "id");
    String text = Fields.of(body, Set.of("text")).required("text", 1, MAX_TEXT);
    long author = Caller.of(ctx).userId();
    return idempotency.write(ctx, new Requests.CreateComment(postId, author, text),
            c -> ApiResponse.created(Representations.comment(c),
                "/v1/posts/" + Ids.format(postId) + "/comments/" + Ids.format(c.id())))
        .compose(response -> cache.wrote(CacheKey.post(postId)).map(response));
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
        .compose(l -> cache.wrote(CacheKey.post(postId)).map(ApiResponse.ok(new JsonObject()
            .put("postId", Ids.format(l.postId())).put("liked", l.liked()).put("likeCount", l.likeCount()))));
  }
}
