package io.spillway.push;

import io.spillway.auth.BearerAuth;
import io.spillway.auth.JwtTokens;
import io.spillway.auth.Principal;
import io.spillway.observe.AccessLog;
import io.spillway.web.Ids;
import io.spillway.web.Problem;
import io.spillway.web.Problems;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.ext.web.RoutingContext;

/**
 * {@code GET /v1/stream}: authenticates the upgrade ({@code Authorization: Bearer} or an {@code access_token}
 * query parameter, since browsers cannot set headers on a WebSocket) and answers 401 before upgrading when
 * the token is missing or invalid. The protocol itself is {@link StreamSession}'s; see docs/realtime.md.
 */
public final class StreamEndpoint {
  private final JwtTokens tokens;
  private final StreamHub hub;

  public StreamEndpoint(JwtTokens tokens, StreamHub hub) {
    this.tokens = tokens;
    this.hub = hub;
  }

  public void upgrade(RoutingContext ctx) {
    if (!ctx.request().headers().contains(HttpHeaders.UPGRADE, HttpHeaders.WEBSOCKET, true)) {
      Problems.send(ctx, Problem.badRequest("/v1/stream is a WebSocket endpoint: send an Upgrade: websocket request"));
      return;
    }
    String token = token(ctx);
    if (token == null) {
      unauthorized(ctx, "a bearer token or access_token parameter is required");
      return;
    }
    ctx.request().pause();
    tokens.verify(token)
        .onFailure(err -> {
          ctx.request().resume();
          unauthorized(ctx, err.getMessage());
        })
        .onSuccess(principal -> {
          ctx.request().resume();
          if (Ids.parse(principal.subject()) < 0) {
            unauthorized(ctx, "the token's subject is not a user id");
            return;
          }
          ctx.request().toWebSocket()
              .onSuccess(ws -> {
                AccessLog.upgraded(ctx);
                session(ws, principal);
              })
              .onFailure(ctx::fail);
        });
  }

  private void session(ServerWebSocket ws, Principal principal) {
    new StreamSession(ws, Ids.parse(principal.subject()), hub, hub.config()).start();
  }

  private static String token(RoutingContext ctx) {
    String header = ctx.request().getHeader(HttpHeaders.AUTHORIZATION);
    if (header != null) {
      return BearerAuth.tokenOf(header);
    }
    String param = ctx.request().getParam("access_token");
    return param == null || param.isEmpty() || param.length() > BearerAuth.MAX_TOKEN_LENGTH ? null : param;
  }

  private static void unauthorized(RoutingContext ctx, String reason) {
    ctx.response().putHeader("WWW-Authenticate", "Bearer realm=\"spillway\", error=\"invalid_token\"");
    Problems.send(ctx, Problem.unauthorized(reason));
  }
}
