package io.spillway.stream;

import io.spillway.auth.JwtTokens;
import io.spillway.auth.Principal;
import io.spillway.http.Problem;
import io.spillway.http.Problems;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

/**
 * {@code GET /v1/stream}: authenticates the upgrade ({@code Authorization: Bearer} or an {@code access_token}
 * query parameter, since browsers cannot set headers on a WebSocket) and answers 401 before upgrading when
 * the token is missing or invalid. Speaks the JSON frame protocol; {@code ping} is answered with {@code pong}.
 */
public final class StreamEndpoint {
  private final JwtTokens tokens;

  public StreamEndpoint(JwtTokens tokens) {
    this.tokens = tokens;
  }

  public void upgrade(RoutingContext ctx) {
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
          ctx.request().toWebSocket()
              .onSuccess(ws -> session(ws, principal))
              .onFailure(ctx::fail);
        });
  }

  private void session(ServerWebSocket ws, Principal principal) {
    // On a graceful stop, tell the client the server is going away (1001) so it reconnects elsewhere.
    ws.shutdownHandler(v -> ws.close((short) 1001, "server shutting down"));
    ws.textMessageHandler(text -> {
      JsonObject frame;
      try {
        frame = new JsonObject(text);
      } catch (DecodeException e) {
        ws.writeTextMessage(error("bad-frame", "frames must be JSON objects"));
        return;
      }
      String op = frame.getString("op", "");
      if (op.equals("ping")) {
        ws.writeTextMessage("{\"op\":\"pong\"}");
      } else {
        ws.writeTextMessage(error("unknown-op", "unsupported op '" + op + "'"));
      }
    });
  }

  static String error(String code, String message) {
    return new JsonObject().put("op", "error").put("code", code).put("message", message).encode();
  }

  private static String token(RoutingContext ctx) {
    String header = ctx.request().getHeader(HttpHeaders.AUTHORIZATION);
    if (header != null && header.regionMatches(true, 0, "Bearer ", 0, 7)) {
      return header.substring(7).trim();
    }
    return ctx.request().getParam("access_token");
  }

  private static void unauthorized(RoutingContext ctx, String reason) {
    ctx.response().putHeader("WWW-Authenticate", "Bearer realm=\"spillway\", error=\"invalid_token\"");
    Problems.send(ctx, Problem.unauthorized(reason));
  }
}
