package io.spillway.auth;

import io.spillway.http.Problem;
import io.spillway.http.Problems;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.RoutingContext;

/**
 * Router handler for {@code Authorization: Bearer <jwt>}. {@link #required} answers 401 with {@code
 * WWW-Authenticate: Bearer} when the token is missing or invalid; {@link #optional} lets anonymous requests
 * through but still refuses a token that is present and invalid.
 */
public final class BearerAuth implements Handler<RoutingContext> {
  private final JwtTokens tokens;
  private final boolean required;

  private BearerAuth(JwtTokens tokens, boolean required) {
    this.tokens = tokens;
    this.required = required;
  }

  public static BearerAuth required(JwtTokens tokens) {
    return new BearerAuth(tokens, true);
  }

  public static BearerAuth optional(JwtTokens tokens) {
    return new BearerAuth(tokens, false);
  }

  @Override
  public void handle(RoutingContext ctx) {
    if (Principal.of(ctx) != null) {
      ctx.next();
      return;
    }
    String token = bearerToken(ctx.request().getHeader(HttpHeaders.AUTHORIZATION));
    if (token == null) {
      if (required) {
        reject(ctx, "invalid_request", "a bearer token is required");
      } else {
        ctx.next();
      }
      return;
    }
    authenticate(token).onComplete(ar -> {
      if (ar.succeeded()) {
        ar.result().attach(ctx);
        ctx.next();
      } else {
        String reason = ar.cause() instanceof InvalidTokenException ? ar.cause().getMessage() : "the token is invalid";
        reject(ctx, "invalid_token", reason);
      }
    });
  }

  public Future<Principal> authenticate(String token) {
    return tokens.verify(token);
  }

  static String bearerToken(String header) {
    if (header == null || header.length() < 8 || !header.regionMatches(true, 0, "Bearer ", 0, 7)) {
      return null;
    }
    String token = header.substring(7).trim();
    return token.isEmpty() || token.length() > 8192 ? null : token;
  }

  static void reject(RoutingContext ctx, String error, String reason) {
    ctx.response().putHeader("WWW-Authenticate",
        "Bearer realm=\"spillway\", error=\"" + error + "\", error_description=\"" + reason + "\"");
    Problems.send(ctx, Problem.unauthorized(reason));
  }
}
