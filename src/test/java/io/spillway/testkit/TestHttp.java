package io.spillway.testkit;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.PoolOptions;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * HTTP clients for tests. Vert.x's default pool holds 5 connections per server, so a test that fires 48
 * requests "at once" would have at most 5 of them in flight; these clients have room for {@link #MAX_POOL}
 * and count the connections they open, which lets a test show that its requests really overlapped.
 */
public final class TestHttp {
  /** Connections per server: more than any test sends at once. */
  public static final int MAX_POOL = 128;

  private TestHttp() {}

  /**
   * A web client with a pool of {@link #MAX_POOL} connections per server. A pool opens a connection only when
   * a request finds every open connection busy, so {@link Counted#connections()} on a fresh client is the
   * number of requests that were in flight together at its busiest moment (connections are kept alive).
   */
  public static Counted client(Vertx vertx, WebClientOptions options) {
    AtomicInteger opened = new AtomicInteger();
    HttpClientAgent http = vertx.httpClientBuilder()
        .with(options)
        .with(new PoolOptions().setHttp1MaxSize(MAX_POOL).setMaxWaitQueueSize(-1))
        .withConnectHandler(connection -> opened.incrementAndGet())
        .build();
    return new Counted(WebClient.wrap(http, options), opened);
  }

  /** A fresh client of the server on 127.0.0.1:{@code port}. */
  public static Counted client(Vertx vertx, int port) {
    return client(vertx, new WebClientOptions().setDefaultHost("127.0.0.1").setDefaultPort(port));
  }

  /** A web client and the number of connections it has opened so far. */
  public record Counted(WebClient web, AtomicInteger opened) implements AutoCloseable {
    public int connections() {
      return opened.get();
    }

    @Override
    public void close() {
      web.close();
    }
  }
}
