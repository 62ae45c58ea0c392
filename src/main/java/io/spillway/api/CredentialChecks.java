package io.spillway.api;

import io.spillway.auth.LoginAttempts;
import io.spillway.auth.PasswordHasher;
import io.spillway.web.Problem;
import io.spillway.web.ProblemException;
import io.spillway.web.ProblemType;
import io.vertx.core.Future;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.RoutingContext;

/**
 * How the refusals of the password hasher and the login throttle reach the client: a full hashing executor is
 * a 503 {@code overloaded}, a throttled login a 429 {@code rate-limited/<limit>}, both with {@code Retry-After}.
 */
final class CredentialChecks {
  private CredentialChecks() {}

  static <T> Future<T> refused(RoutingContext ctx, Throwable err) {
    if (err instanceof PasswordHasher.Busy busy) {
      ctx.response().putHeader(HttpHeaders.RETRY_AFTER, Integer.toString(busy.retryAfterSeconds()));
      return Future.failedFuture(new ProblemException(ProblemType.OVERLOADED.with(busy.getMessage())));
    }
    if (err instanceof LoginAttempts.Refused r) {
      ctx.response().putHeader(HttpHeaders.RETRY_AFTER, Long.toString(r.retryAfterSeconds()));
      String detail = switch (r.limit()) {
        case "login-lockout" -> "too many failed logins for this email from your address; retry after "
            + r.retryAfterSeconds() + " s";
        case "login-failures-email" -> "too many failed logins for this email; retry after " + r.retryAfterSeconds() + " s";
        default -> "too many failed logins from your address; retry after " + r.retryAfterSeconds() + " s";
      };
      return Future.failedFuture(new ProblemException(Problem.rateLimited(r.limit(), detail)));
    }
    return Future.failedFuture(err);
  }
}
