package io.spillway.auth;

import io.spillway.web.Caller;
import io.spillway.web.Ids;
import io.spillway.web.Problem;
import io.spillway.web.Problems;
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
  /** Longer tokens are refused unread: no legitimate token of ours comes near it. */
  public static final int MAX_TOKEN_LENGTH = 8192;
  /** Routing-context key: when the request's bearer token stops verifying (epoch ms: its exp plus the leeway). */
  private static final String EXPIRES_AT = "spillway.auth.expiresAt";
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
    Caller caller = Caller.of(ctx);
    if (caller.authenticated()) {
      ctx.next();
      return;
    }
    String token = tokenOf(ctx.request().getHeader(HttpHeaders.AUTHORIZATION));
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
        long user = Ids.parse(ar.result().subject());
        if (user < 0) {
          reject(ctx, "invalid_token", "the token's subject is not a user id");
          return;
        }
        caller.withUser(user).attach(ctx);
        ctx.put(EXPIRES_AT, (ar.result().claims().getLong("exp") + tokens.leewaySeconds()) * 1000);
        ctx.next();
      } else {
        String reason = ar.cause() instanceof InvalidTokenException ? ar.cause().getMessage() : "the token is invalid";
        reject(ctx, "invalid_token", reason);
      }
    });
  }

  /** When the bearer token this request authenticated with stops verifying (epoch ms); 0 without one (an API key). */
  public static long expiresAtMs(RoutingContext ctx) {
    Long at = ctx.get(EXPIRES_AT);
    return at == null ? 0 : at;
  }

  public Future<Principal> authenticate(String token) {
    return tokens.verify(token);
  }

  /** The token of an {@code Authorization: Bearer} header, or null when there is none (or it is too long). */
  public static String tokenOf(String header) {
    if (header == null || header.length() < 8 || !header.regionMatches(true, 0, "Bearer ", 0, 7)) {
      return null;
    }
    String token = header.substring(7).trim();
    return token.isEmpty() || token.length() > MAX_TOKEN_LENGTH ? null : token;
  }

  static void reject(RoutingContext ctx, String error, String reason) {
    ctx.response().putHeader("WWW-Authenticate",
        "Bearer realm=\"spillway\", error=\"" + error + "\", error_description=\"" + reason + "\"");
    Problems.send(ctx, Problem.unauthorized(reason));
  }
}
