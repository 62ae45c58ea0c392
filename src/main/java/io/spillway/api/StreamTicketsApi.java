package io.spillway.api;

import io.spillway.auth.BearerAuth;
import io.spillway.push.StreamTickets;
import io.spillway.web.Caller;
import io.vertx.core.Future;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

/**
 * {@code POST /v1/stream/ticket}: a single-use ticket to open {@code /v1/stream} from a browser without putting
 * a token in the URL. The socket it opens lives no longer than the bearer token that asked for it.
 */
final class StreamTicketsApi {
  private final StreamTickets tickets;

  StreamTicketsApi(StreamTickets tickets) {
    this.tickets = tickets;
  }

  void mount(Routes routes) {
    routes.add(HttpMethod.POST, "/v1/stream/ticket", Routes.Access.REQUIRED, this::issue);
  }

  Future<ApiResponse> issue(RoutingContext ctx) {
    return tickets.issue(Caller.of(ctx).userId(), BearerAuth.expiresAtMs(ctx))
        .map(ticket -> ApiResponse.created(new JsonObject().put("ticket", ticket)
            .put("expiresIn", tickets.ttlSeconds()), "/v1/stream").secret());
  }
}
