package io.spillway.outbox;

import io.vertx.core.Vertx;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.pgclient.PgConnection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A dedicated connection per shard that LISTENs for other nodes' outbox notifications (sent by a node whose
 * writes landed on a shard this node's relay drains) and wakes the relay. Pooled connections cannot LISTEN
 * (the pool hands them to others). When the connection drops it reconnects, and wakes the relay
 * once more on (re)connect because notifications sent while it was away are gone.
 */
final class OutboxListener {
  static final String CHANNEL = "spillway_outbox";
  private static final Logger LOG = LoggerFactory.getLogger(OutboxListener.class);

  private final Vertx vertx;
  private final PgConnectOptions options;
  private final String shard;
  private final Runnable wake;
  private final long retryMs;
  private PgConnection connection;
  private boolean stopped;
  private boolean warned;

  OutboxListener(Vertx vertx, PgConnectOptions options, String shard, Runnable wake, long retryMs) {
    this.vertx = vertx;
    this.options = options;
    this.shard = shard;
    this.wake = wake;
    this.retryMs = retryMs;
  }

  void start() {
    connect();
  }

  private void connect() {
    if (stopped) {
      return;
    }
    PgConnection.connect(vertx, options)
        .compose(conn -> {
          conn.notificationHandler(n -> wake.run());
          conn.closeHandler(v -> {
            connection = null;
            if (!stopped) {
              LOG.warn("outbox listener for {} lost its connection; reconnecting", shard);
              vertx.setTimer(retryMs, t -> connect());
            }
          });
          return conn.query("LISTEN " + CHANNEL).execute().map(conn)
              .onFailure(err -> conn.close());
        })
        .onSuccess(conn -> {
          if (stopped) {
            conn.close();
            return;
          }
          connection = conn;
          warned = false;
          wake.run();
        })
        .onFailure(err -> {
          if (!warned) {
            warned = true;
            LOG.warn("outbox listener for {} cannot connect, the relay polls meanwhile: {}", shard, err.getMessage());
          }
          vertx.setTimer(retryMs, t -> connect());
        });
  }

  void stop() {
    stopped = true;
    if (connection != null) {
      connection.close();
    }
  }
}
