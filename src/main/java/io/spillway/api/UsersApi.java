package io.spillway.api;

import io.spillway.cache.CacheKey;
import io.spillway.cache.ReadCache;
import io.spillway.web.Caller;
import io.spillway.data.DataClient;
import io.spillway.auth.PasswordHasher;
import io.spillway.web.Ids;
import io.spillway.data.Model;
import io.spillway.data.Requests;
import io.spillway.web.Problem;
import io.spillway.web.ProblemException;
import io.vertx.core.Future;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

import java.util.Set;

/** Users: sign-up, profiles, a user's posts, follows. */
final class UsersApi {
  /** Matches no password ({@code PasswordHasher} refuses a hash it cannot parse). */
  private static final String UNUSABLE_HASH = "!";
  private final DataClient data;
  private final ReadCache cache;
  private final CachedReads reads;
  private final PasswordHasher passwords;
  private final Idempotency idempotency;

  UsersApi(DataClient data, ReadCache cache, CachedReads reads, PasswordHasher passwords, Idempotency idempotency) {
    this.data = data;
    this.cache = cache;
    this.reads = reads;
    this.passwords = passwords;
    this.idempotency = idempotency;
  }

  void mount(Routes routes) {
    routes.addJson(HttpMethod.POST, "/v1/users", Routes.Access.PUBLIC, this::create);
    routes.add(HttpMethod.GET, "/v1/users/:id", Routes.Access.OPTIONAL, this::get);
    routes.addJson(HttpMethod.PATCH, "/v1/users/:id", Routes.Access.REQUIRED, this::update);
    routes.add(HttpMethod.GET, "/v1/users/:id/posts", Routes.Access.OPTIONAL, this::posts);
    routes.add(HttpMethod.PUT, "/v1/users/:id/follow", Routes.Access.REQUIRED, ctx -> follow(ctx, true));
    routes.add(HttpMethod.DELETE, "/v1/users/:id/follow", Routes.Access.REQUIRED, ctx -> follow(ctx, false));
    routes.add(HttpMethod.GET, "/v1/users/:id/followers", Routes.Access.OPTIONAL, ctx -> follows(ctx, true));
    routes.add(HttpMethod.GET, "/v1/users/:id/following", Routes.Access.OPTIONAL, ctx -> follows(ctx, false));
  }

  /**
   * Sign-up. A taken email is answered before any hashing (a hash costs tenths of a second of CPU); the hash
   * runs on the hashing executor under the caller's per-address share. The Idempotency-Key fingerprint is made
   * of the email and name only: a password is never hashed or stored outside the password hasher.
   */
  Future<ApiResponse> create(RoutingContext ctx, JsonObject body) {
    Fields f = Fields.of(body, Set.of("email", "name", "password"));
    String email = f.email("email");
    String name = f.required("name", 1, 100);
    String password = f.required("password", 8, 128);
    JsonObject fingerprint = new JsonObject().put("email", email).put("name", name);
    return data.call(new Requests.FindCredentials(email)).compose(existing -> {
      if (existing == null) {
        return passwords.hash(password, Caller.of(ctx).addressGroup())
            .recover(err -> CredentialChecks.refused(ctx, err))
            .compose(hash -> idempotency.write(ctx, fingerprint, new Requests.CreateUser(email, name, hash), this::created));
      }
      if (ctx.request().getHeader(Idempotency.HEADER) == null) {
        return Future.failedFuture(new ProblemException(Problem.conflict("a user with this email already exists")));
      }
      // The email is taken, perhaps by this very request's first try: the key replays that answer, or the
      // write is a 409. No hash is made for it; the one written with the request can never be written.
      return idempotency.write(ctx, fingerprint, new Requests.CreateUser(email, name, UNUSABLE_HASH), this::created);
    });
  }

  private ApiResponse created(Model.User u) {
    return ApiResponse.created(Representations.user(u, true), "/v1/users/" + Ids.format(u.id()));
  }

  Future<ApiResponse> get(RoutingContext ctx) {
    long id = Params.id(ctx, "id");
    Long viewer = Caller.of(ctx).userId();
    if (viewer == null || viewer != id) {
      return reads.user(id, viewer, ApiVersion.of(ctx));
    }
    // Your own profile shows your email, so it is read from the data layer, never from the shared cache.
    return data.call(new Requests.GetUser(id, viewer)).map(u -> ApiResponse.ok(Representations.user(u, true)));
  }

  Future<ApiResponse> update(RoutingContext ctx, JsonObject body) {
    long id = Params.id(ctx, "id");
    if (Caller.of(ctx).userId() != id) {
      throw new ProblemException(Problem.forbidden("you can only change your own profile"));
    }
    Fields f = Fields.of(body, Set.of("name", "bio"));
    String name = f.optional("name", 1, 100);
    String bio = f.optional("bio", 0, 500);
    return data.call(new Requests.UpdateUser(id, name, bio))
        .compose(u -> cache.wrote(CacheKey.user(id), CacheKey.userRef(id)).map(ApiResponse.ok(Representations.user(u, true))));
  }

  Future<ApiResponse> posts(RoutingContext ctx) {
    long id = Params.id(ctx, "id");
    return data.call(new Requests.ListUserPosts(id, Params.cursor(ctx), Params.limit(ctx),
            Caller.of(ctx).userId()))
        .map(page -> ApiResponse.ok(Representations.page(page, Representations::post)));
  }

  Future<ApiResponse> follow(RoutingContext ctx, boolean follow) {
    long followee = Params.id(ctx, "id");
    long follower = Caller.of(ctx).userId();
    if (followee == follower) {
      throw new ProblemException(Problem.invalidField("id", "you cannot follow yourself"));
    }
    return data.call(new Requests.SetFollow(follower, followee, follow))
        .compose(f -> cache.wrote(CacheKey.user(follower), CacheKey.user(followee))
            .map(ApiResponse.ok(new JsonObject().put("userId", Ids.format(followee)).put("following", f.following()))));
  }

  Future<ApiResponse> follows(RoutingContext ctx, boolean followers) {
    long id = Params.id(ctx, "id");
    return data.call(new Requests.ListFollows(id, followers, Params.cursor(ctx),
            Params.limit(ctx), Caller.of(ctx).userId()))
        .map(page -> ApiResponse.ok(Representations.page(page, Representations::follow)));
  }
}
