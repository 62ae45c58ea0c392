package io.spillway.api;

import io.spillway.web.Caller;
import io.spillway.data.DataClient;
import io.spillway.data.Model;
import io.spillway.data.Requests;
import io.vertx.core.Future;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.RoutingContext;

/** {@code GET /v1/feed}: posts of everyone the caller follows, newest first, across shards. */
final class FeedApi {
  private final DataClient data;

  FeedApi(DataClient data) {
    this.data = data;
  }

  void mount(Routes routes) {
    routes.add(HttpMethod.GET, "/v1/feed", Routes.Access.REQUIRED, this::feed);
  }

  Future<ApiResponse> feed(RoutingContext ctx) {
    return data.call(new Requests.ReadFeed(Caller.of(ctx).userId(), Params.cursor(ctx),
            Params.limit(ctx)))
        .map(page -> ApiResponse.ok(Representations.page(page, Representations::post)));
  }
}
