package io.spillway.stream;

import io.vertx.core.Future;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisConnection;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;

/**
 * One Redis connection, (re)connected on demand. Commands sent through it execute in the order they were
 * sent (pipelined, not one round trip each): a pool could run a channel's second XADD before its first,
 * and the first would then be refused as "equal or smaller" and missing from history.
 */
final class OrderedRedis {
  private final Redis client;
  private Future<RedisConnection> connection;

  OrderedRedis(Redis client) {
    this.client = client;
  }

  Future<Response> send(Request request) {
    if (connection == null) {
      Future<RedisConnection> connecting = client.connect();
      connection = connecting;
      connecting
          .onSuccess(c -> c.exceptionHandler(err -> forget(connecting)).endHandler(v -> forget(connecting)))
          .onFailure(err -> forget(connecting));
    }
    return connection.compose(c -> c.send(request));
  }

  private void forget(Future<RedisConnection> failed) {
    if (connection == failed) {
      connection = null;
    }
  }

  Future<Void> close() {
    return client.close();
  }
}
