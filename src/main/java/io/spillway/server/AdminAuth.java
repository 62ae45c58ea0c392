package io.spillway.server;

import io.spillway.auth.BearerAuth;
import io.spillway.config.ManagementConfig;
import io.spillway.web.Problem;
import io.spillway.web.Problems;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.RoutingContext;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * Every admin call carries {@code Authorization: Bearer <management.adminToken>}. The token is compared in
 * constant time (digests of equal length, {@link MessageDigest#isEqual}), so the answer's timing tells
 * nothing about how much of a guess was right. Without a configured token every admin call is refused.
 */
final class AdminAuth implements Handler<RoutingContext> {
  private final byte[] expected;

  AdminAuth(ManagementConfig config) {
    this.expected = config.adminToken().isEmpty() ? null : digest(config.adminToken());
  }

  @Override
  public void handle(RoutingContext ctx) {
    if (expected == null) {
      Problems.send(ctx, Problem.forbidden("admin calls are refused: management.adminToken is not set"));
      return;
    }
    String token = BearerAuth.tokenOf(ctx.request().getHeader(HttpHeaders.AUTHORIZATION));
    if (token == null || !MessageDigest.isEqual(expected, digest(token))) {
      ctx.response().putHeader("WWW-Authenticate", "Bearer realm=\"spillway-admin\"");
      Problems.send(ctx, Problem.unauthorized(token == null ? "an admin call needs Authorization: Bearer <admin token>"
          : "the admin token is wrong"));
      return;
    }
    ctx.next();
  }

  private static byte[] digest(String token) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
