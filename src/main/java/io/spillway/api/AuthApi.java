package io.spillway.api;

import io.spillway.auth.JwtTokens;
import io.spillway.auth.LoginAttempts;
import io.spillway.auth.PasswordHasher;
import io.spillway.data.DataClient;
import io.spillway.data.Model;
import io.spillway.data.Requests;
import io.spillway.web.Caller;
import io.spillway.web.Ids;
import io.spillway.web.ProblemException;
import io.spillway.web.ProblemType;
import io.vertx.core.Future;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Set;

/**
 * {@code POST /v1/auth/token}: email and password for a signed access token. The attempt takes its place in
 * the failed-login logs before the password is checked and gives it back when the password is right ({@link
 * LoginAttempts}); the password is checked on the hashing executor, as much work for an unknown email as for
 * a known one. A hash with weaker parameters than the configured ones is replaced after a successful login.
 */
final class AuthApi {
  private static final Logger LOG = LoggerFactory.getLogger(AuthApi.class);
  private final DataClient data;
  private final PasswordHasher passwords;
  private final LoginAttempts logins;
  private final JwtTokens tokens;

  AuthApi(DataClient data, PasswordHasher passwords, LoginAttempts logins, JwtTokens tokens) {
    this.data = data;
    this.passwords = passwords;
    this.logins = logins;
    this.tokens = tokens;
  }

  void mount(Routes routes) {
    routes.addJson(HttpMethod.POST, "/v1/auth/token", Routes.Access.PUBLIC, this::token);
  }

  Future<ApiResponse> token(RoutingContext ctx, JsonObject body) {
    Fields f = Fields.of(body, Set.of("email", "password"));
    String email = f.email("email");
    String password = f.required("password", 1, 128);
    Caller caller = Caller.of(ctx);
    return logins.reserve(email, caller.addressGroup())
        .recover(err -> CredentialChecks.refused(ctx, err))
        .compose(attempt -> data.call(new Requests.FindCredentials(email))
            .compose(creds -> passwords.verify(password, creds == null ? null : creds.passwordHash(), caller.addressGroup())
                .compose(ok -> ok ? logins.succeeded(attempt).map(v -> issue(creds, password))
                    // The same answer whether the email or the password was wrong; the attempt stays counted.
                    : Future.failedFuture(new ProblemException(
                        ProblemType.INVALID_CREDENTIALS.with("the email or password is wrong")))))
            .recover(err -> ProblemException.hasStatus(err, 401) ? Future.failedFuture(err)
                // Not a wrong password (a busy hasher, a data layer that did not answer): not a failed login.
                : logins.refund(attempt).transform(v -> CredentialChecks.refused(ctx, err))));
  }

  private ApiResponse issue(Model.Credentials creds, String password) {
    if (passwords.needsRehash(creds.passwordHash())) {
      upgrade(creds, password);
    }
    return ApiResponse.ok(new JsonObject()
        .put("access_token", tokens.issue(Ids.format(creds.userId()), null))
        .put("token_type", "Bearer")
        .put("expires_in", tokens.ttlSeconds())).secret();
  }

  /** Re-hashes with the configured parameters, after the answer; a busy hasher just leaves it for the next login. */
  private void upgrade(Model.Credentials creds, String password) {
    passwords.hash(password, null)
        .compose(hash -> data.call(new Requests.ReplacePasswordHash(creds.userId(), creds.passwordHash(), hash)))
        .onFailure(err -> LOG.debug("upgrading the password hash of user {} is left for a later login: {}",
            creds.userId(), err.getMessage()));
  }
}
