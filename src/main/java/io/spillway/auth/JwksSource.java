package io.spillway.auth;

import io.spillway.config.ConfigException;
import io.spillway.config.JwtConfig;
import io.spillway.config.Secrets;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.core.shareddata.LocalMap;
import io.vertx.core.shareddata.Shareable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A JWK set fetched from {@code jwt.jwksUri}, so an identity provider can rotate its keys without a restart:
 * fetched at start (a node whose first fetch fails or finds no usable key does not start), again every
 * {@code jwt.jwksRefreshSeconds}, and when a token names a {@code kid} the set does not hold, at most once
 * per {@code jwt.jwksMinRefreshSeconds} (a stream of made-up kids costs one fetch per interval, not one per
 * token). A failed refresh keeps the keys it had. One per node and URI, shared by every HttpVerticle.
 */
final class JwksSource implements Shareable {
  private static final Logger LOG = LoggerFactory.getLogger(JwksSource.class);
  private static final String SHARED_MAP = "spillway.jwks";
  /** A JWK set is a few kilobytes; this bounds what a misbehaving server can make a node buffer. */
  static final int MAX_BYTES = 1 << 20;

  /** One fetched set: its usable keys and a version that changes whenever they do. */
  record KeySet(List<JsonObject> keys, long version) {}

  private final Vertx vertx;
  private final JwtConfig config;
  private final HttpClient client;
  private final AtomicReference<KeySet> current = new AtomicReference<>(new KeySet(List.of(), 0));
  private final AtomicReference<Future<KeySet>> inFlight = new AtomicReference<>();
  private final AtomicLong lastFetchNanos = new AtomicLong(Long.MIN_VALUE / 2);
  private final Future<KeySet> started;

  private JwksSource(Vertx vertx, JwtConfig config) {
    this.vertx = vertx;
    this.config = config;
    this.client = vertx.createHttpClient(new HttpClientOptions()
        .setConnectTimeout(config.jwksTimeoutMs()).setMaxRedirects(0));
    this.started = fetch().compose(keys -> keys.keys().isEmpty()
        ? Future.failedFuture(new ConfigException("jwt.jwksUri: the JWK set at " + Secrets.redactUri(config.jwksUri())
            + " has no key to verify " + config.algorithm() + " tokens with"))
        : Future.succeededFuture(keys));
    long every = config.jwksRefreshSeconds() * 1000L;
    vertx.setPeriodic(every, every, t -> fetch().onFailure(err -> LOG.warn(
        "jwt: refreshing the JWK set from {} failed, the keys stay: {}", Secrets.redactUri(config.jwksUri()), err.getMessage())));
  }

  /** The node's source for {@code config.jwksUri()}; its first fetch may still be in flight (see {@link #started}). */
  static JwksSource shared(Vertx vertx, JwtConfig config) {
    LocalMap<String, JwksSource> map = vertx.sharedData().getLocalMap(SHARED_MAP);
    return map.computeIfAbsent(config.jwksUri(), uri -> new JwksSource(vertx, config));
  }

  /** Completes with the first set, or fails when it could not be fetched or holds no usable key. */
  Future<KeySet> started() {
    return started;
  }

  KeySet current() {
    return current.get();
  }

  /**
   * A token named a key the set does not hold: fetch again unless the last fetch was less than {@code
   * jwt.jwksMinRefreshSeconds} ago. Completes with the set to verify with (maybe unchanged); never fails.
   */
  Future<KeySet> refreshForUnknownKid() {
    long since = System.nanoTime() - lastFetchNanos.get();
    if (since < config.jwksMinRefreshSeconds() * 1_000_000_000L) {
      Future<KeySet> running = inFlight.get();
      return running != null ? running.otherwise(e -> current.get()) : Future.succeededFuture(current.get());
    }
    return fetch().otherwise(err -> {
      LOG.warn("jwt: fetching the JWK set from {} for an unknown kid failed: {}", Secrets.redactUri(config.jwksUri()),
          err.getMessage());
      return current.get();
    });
  }

  /** One fetch at a time: a caller that arrives while one runs gets its result. */
  private Future<KeySet> fetch() {
    Promise<KeySet> promise = Promise.promise();
    Future<KeySet> mine = promise.future();
    Future<KeySet> running = inFlight.compareAndExchange(null, mine);
    if (running != null) {
      return running;
    }
    lastFetchNanos.set(System.nanoTime());
    download().map(body -> {
      List<JsonObject> keys = JwtKeys.usable(JwtKeys.jwkSet(body, "jwt.jwksUri"), config.algorithm());
      KeySet before = current.get();
      if (keys.equals(before.keys())) {
        return before;
      }
      KeySet next = new KeySet(keys, before.version() + 1);
      if (!keys.isEmpty()) {
        current.set(next);
        LOG.info("jwt: {} {} key(s) from {}", before.version() == 0 ? "loaded" : "rotated to", keys.size(),
            Secrets.redactUri(config.jwksUri()));
      } else if (before.version() > 0) {
        LOG.warn("jwt: the JWK set at {} now has no {} key; the previous keys stay", Secrets.redactUri(config.jwksUri()),
            config.algorithm());
        return before;
      }
      return next;
    }).onComplete(ar -> {
      inFlight.set(null);
      promise.handle(ar);
    });
    return mine;
  }

  private Future<JsonObject> download() {
    RequestOptions options = new RequestOptions().setMethod(HttpMethod.GET).setAbsoluteURI(config.jwksUri())
        .setTimeout(config.jwksTimeoutMs()).putHeader("Accept", "application/json");
    // The response is handled in the request's own chain, on its connection's event loop, as soon as its head
    // arrives: chained on the outer future, the handler could be set only after the body had been read.
    return client.request(options).compose(req -> req.send().compose(resp -> {
      if (resp.statusCode() != 200) {
        resp.exceptionHandler(ignored -> { });
        resp.request().reset();
        return Future.failedFuture("HTTP " + resp.statusCode());
      }
      Promise<Buffer> body = Promise.promise();
      Buffer buf = Buffer.buffer();
      resp.exceptionHandler(body::tryFail);
      resp.handler(chunk -> {
        if (buf.length() + chunk.length() > MAX_BYTES) {
          resp.request().reset();
          body.tryFail("the JWK set is larger than " + MAX_BYTES + " bytes");
        } else {
          buf.appendBuffer(chunk);
        }
      });
      resp.endHandler(v -> body.tryComplete(buf));
      return body.future();
    })).compose(buf -> {
      try {
        return Future.succeededFuture(buf.toJsonObject());
      } catch (RuntimeException e) {
        return Future.failedFuture("the answer is not a JSON object");
      }
    });
  }

  Vertx vertx() {
    return vertx;
  }
}
