package io.spillway.api;

import io.spillway.web.Caller;
import io.spillway.data.DataClient;
import io.spillway.data.Model;
import io.spillway.data.Requests;
import io.spillway.web.Problem;
import io.spillway.web.ProblemException;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.function.Supplier;

/**
 * {@code Idempotency-Key} on POST: the first request with a key runs and its response is stored; a retry
 * with the same key and the same request gets that response back and writes nothing; the same key with a
 * different request is a 422. Keys are scoped to the caller (or shared by anonymous callers).
 */
final class Idempotency {
  static final String HEADER = "Idempotency-Key";
  private final DataClient data;

  Idempotency(DataClient data) {
    this.data = data;
  }

  /** The request is identified by its method, path and raw body. */
  Future<ApiResponse> run(RoutingContext ctx, Supplier<Future<ApiResponse>> write) {
    return run(ctx, null, write);
  }

  /**
   * The request is identified by its method, path and {@code fingerprint} (null: the raw body): a body holding
   * a password gives a fingerprint without it, since the stored hash would otherwise be a fast, unsalted hash
   * of the password, kept a day.
   */
  Future<ApiResponse> run(RoutingContext ctx, JsonObject fingerprint, Supplier<Future<ApiResponse>> write) {
    String key = ctx.request().getHeader(HEADER);
    if (key == null) {
      return write.get();
    }
    if (key.isEmpty() || key.length() > 255 || key.indexOf('\0') >= 0) {
      return Future.failedFuture(new ProblemException(Problem.invalidField(HEADER,
          "must be 1..255 characters, without the NUL character")));
    }
    Long user = Caller.of(ctx).userId();
    String scope = user == null ? "anonymous" : "user:" + user;
    String hash = requestHash(ctx, fingerprint);
    return data.call(new Requests.ClaimIdempotencyKey(scope, key, hash))
        .compose(claim -> {
          if (!claim.proceed()) {
            return Future.succeededFuture(ApiResponse.fromJson(claim.status(), claim.response()));
          }
          return write.get()
              .compose(response -> data.call(new Requests.CompleteIdempotencyKey(scope, key, response.status(),
                  response.toJson())).map(response))
              .recover(err -> data.call(new Requests.ReleaseIdempotencyKey(scope, key))
                  .transform(ignored -> Future.failedFuture(err)));
        });
  }

  private static String requestHash(RoutingContext ctx, JsonObject fingerprint) {
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      sha.update((ctx.request().method().name() + " " + ctx.request().path() + "\n").getBytes(StandardCharsets.UTF_8));
      Buffer body = fingerprint != null ? fingerprint.toBuffer() : ctx.body().buffer();
      if (body != null) {
        sha.update(body.getBytes());
      }
      return HexFormat.of().formatHex(sha.digest());
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
