package io.spillway.api;

import io.spillway.auth.BearerAuth;
import io.spillway.auth.JwtTokens;
import io.spillway.auth.PasswordHasher;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.ext.web.Router;

/** The v1 REST API: mounts every resource on the router. */
public final class RestApi {
  private RestApi() {}

  public static void mount(Vertx vertx, Router router, int maxBodyBytes, JwtTokens tokens, PasswordHasher passwords,
                           MeterRegistry registry) {
    DataClient data = new DataClient(vertx, registry);
    Idempotency idempotency = new Idempotency(data);
    Routes routes = new Routes(router, maxBodyBytes, BearerAuth.required(tokens), BearerAuth.optional(tokens));
    new UsersApi(data, passwords, idempotency).mount(routes);
    new AuthApi(data, passwords, tokens).mount(routes);
    new PostsApi(data, idempotency).mount(routes);
    new FeedApi(data).mount(routes);
  }
}
