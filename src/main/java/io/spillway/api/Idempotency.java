package io.spillway.api;

import io.spillway.web.Caller;
import io.spillway.data.DataClient;
import io.spillway.data.DataRequest;
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
import java.util.function.Function;

/**
 * {@code Idempotency-Key} on POST: the first request with a key runs and its response is stored in the same
 * transaction as the write, on the write's shard; a retry with the same key and the same request gets that
 * response back and writes nothing (a concurrent one waits for the first to finish); the same key with a
 * different request is a 422. Keys are scoped to the caller (or shared by anonymous callers). A node that
 * dies mid-write leaves neither the write nor the key, so the client's retry writes, at once.
 */
final class Idempotency {
  static final String HEADER = "Idempotency-Key";
  private final DataClient data;

  Idempotency(DataClient data) {
    this.data = data;
  }

  /**
   * Runs {@code write}, rendering its result with {@code render} (a pure function: with a key it runs
   * inside the write's transaction, and what it returns is what a retry gets). The request is identified by
   * its method, path and raw body.
   */
  <R> Future<ApiResponse> write(RoutingContext ctx, DataRequest<R> write, Function<R, ApiResponse> render) {
    return write(ctx, null, write, render);
  }

  /**
   * As above, the request identified by its method, path and {@code fingerprint} (null: the raw body): a body
   * holding a password gives a fingerprint without it, since a hash of the body would be a fast, unsalted hash
   * of the password, kept a day.
   */
  <R> Future<ApiResponse> write(RoutingContext ctx, JsonObject fingerprint, DataRequest<R> write,
                                Function<R, ApiResponse> render) {
    String key = ctx.request().getHeader(HEADER);
    if (key == null) {
      return data.call(write).map(render);
    }
    if (key.isEmpty() || key.length() > 255 || key.indexOf('\0') >= 0) {
      return Future.failedFuture(new ProblemException(Problem.invalidField(HEADER,
          "must be 1..255 characters, without the NUL character")));
    }
    Long user = Caller.of(ctx).userId();
    String scope = user == null ? "anonymous" : "user:" + user;
    Requests.IdempotencyKey idem = new Requests.IdempotencyKey(scope, key, requestHash(ctx, fingerprint));
    return data.call(new Requests.IdempotentWrite<>(idem, write, result -> {
          ApiResponse response = render.apply(result);
          return new Model.StoredResponse(response.status(), response.toJson(), false);
        }))
        .map(stored -> ApiResponse.fromJson(stored.status(), stored.response()));
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
