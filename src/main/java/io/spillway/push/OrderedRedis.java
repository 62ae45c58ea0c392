package io.spillway.push;

import io.spillway.redis.LuaScript;
import io.vertx.core.Future;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisConnection;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;

import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * One Redis connection of the node's client, (re)connected on demand. Commands sent through it execute in the
 * order they were sent (pipelined, not one round trip each): a pool could run a channel's second XADD before
 * its first, and the first would then be refused as "equal or smaller" and missing from history.
 *
 * <p>The scripts it runs are loaded first on every new connection, before any command is sent on it, so their
 * EVALSHAs find them: a NOSCRIPT fallback (EVAL sent after the failure came back) would run after commands
 * pipelined behind it and break the order.
 */
final class OrderedRedis {
  private final Redis client;
  private final List<LuaScript> scripts;
  private final long timeoutMs;
  private Future<RedisConnection> connection;

  /**
   * A command not answered within {@code timeoutMs} fails, and the connection it went down is dropped (the
   * next command gets a new one): a hung connection must not stop the node's push chain for good.
   */
  OrderedRedis(Redis client, List<LuaScript> scripts, long timeoutMs) {
    this.client = client;
    this.scripts = scripts;
    this.timeoutMs = timeoutMs;
  }

  Future<Response> send(Request request) {
    if (connection == null) {
      Future<RedisConnection> connecting = client.connect().compose(this::loadScripts);
      connection = connecting;
      connecting
          .onSuccess(c -> c.exceptionHandler(err -> forget(connecting)).endHandler(v -> forget(connecting)))
          .onFailure(err -> forget(connecting));
    }
    Future<RedisConnection> used = connection;
    return used.compose(c -> c.send(request)).timeout(timeoutMs, TimeUnit.MILLISECONDS)
        .onFailure(err -> {
          // Every command pipelined behind a hung one times out too: only the first closes the connection
          // (a pooled connection closed twice is recycled twice, which the pool refuses).
          if (err instanceof java.util.concurrent.TimeoutException && connection == used) {
            forget(used);
            used.onSuccess(RedisConnection::close);
          }
        });
  }

  private Future<RedisConnection> loadScripts(RedisConnection c) {
    Future<?> loaded = Future.succeededFuture();
    for (LuaScript s : scripts) {
      loaded = loaded.compose(v -> s.load(c::send));
    }
    return loaded.map(c).recover(err -> {
      c.close();
      return Future.failedFuture(err);
    });
  }

  private void forget(Future<RedisConnection> failed) {
    if (connection == failed) {
      connection = null;
    }
  }

  /** Closes this connection; the node's client stays open for its other users. */
  Future<Void> close() {
    Future<RedisConnection> c = connection;
    connection = null;
    return c == null ? Future.succeededFuture() : c.compose(RedisConnection::close).otherwiseEmpty();
  }
}
