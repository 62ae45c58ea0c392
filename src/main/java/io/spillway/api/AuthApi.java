package io.spillway.api;

import io.spillway.data.DataClient;
import io.spillway.auth.JwtTokens;
import io.spillway.auth.PasswordHasher;
import io.spillway.web.Ids;
import io.spillway.data.Model;
import io.spillway.data.Requests;
import io.spillway.web.ProblemType;
import io.spillway.web.ProblemException;
import io.vertx.core.Future;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

import java.util.Set;

/** {@code POST /v1/auth/token}: email and password for a signed access token. */
final class AuthApi {
  private final DataClient data;
  private final PasswordHasher passwords;
  private final JwtTokens tokens;
  private final LoginThrottle throttle;

  AuthApi(DataClient data, PasswordHasher passwords, JwtTokens tokens, LoginThrottle throttle) {
    this.data = data;
    this.passwords = passwords;
    this.tokens = tokens;
    this.throttle = throttle;
  }

  void mount(Routes routes) {
    routes.addJson(HttpMethod.POST, "/v1/auth/token", Routes.Access.PUBLIC, this::token);
  }

  Future<ApiResponse> token(RoutingContext ctx, JsonObject body) {
    Fields f = Fields.of(body, Set.of("email", "password"));
    String email = f.email("email");
    String password = f.required("password", 1, 128);
    return throttle.admit(ctx, email)
        .compose(v -> data.call(new Requests.FindCredentials(email)))
        .compose(creds -> passwords.verify(password, creds == null ? null : creds.passwordHash())
            .compose(ok -> {
              if (!ok) {
                // The same answer whether the email or the password was wrong.
                return throttle.failed(ctx, email).transform(ignored -> Future.failedFuture(
                    new ProblemException(ProblemType.INVALID_CREDENTIALS.with("the email or password is wrong"))));
              }
              return Future.succeededFuture(ApiResponse.ok(new JsonObject()
                  .put("access_token", tokens.issue(Ids.format(creds.userId()), null))
                  .put("token_type", "Bearer")
                  .put("expires_in", tokens.ttlSeconds())));
            }));
  }
}
