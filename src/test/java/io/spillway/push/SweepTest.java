package io.spillway.push;

import io.spillway.config.StreamConfig;
import io.spillway.observe.EventSpans;
import io.spillway.testkit.Await;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.redis.client.Redis;
import org.junit.jupiter.api.Test;

import java.lang.reflect.Proxy;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * When thousands of sockets close at once, the ping sweep meets sockets that are already closed but whose
 * close handlers have not run yet; writing a ping to one throws. That socket's failure must not cost the
 * sessions after it their ping and idle check. (The sockets here are stand-ins: a closed socket that throws
 * on write is what a real one does in that window, and the window itself cannot be hit on purpose.)
 */
class SweepTest {
  @Test
  void aSocketThatClosedUnderTheSweepDoesNotStopTheOthersPings() {
    Vertx vertx = Vertx.vertx();
    Redis redis = Redis.createClient(vertx, "redis://127.0.0.1:1");
    try {
      StreamConfig config = new StreamConfig(1, 1, 1000, 10, 10, 500, 100, 3600, 10, 65536, 50, 60, 1, 1 << 20, 30, 10, 100, "");
      AtomicInteger healthyPings = new AtomicInteger();
      AtomicInteger brokenPings = new AtomicInteger();
      io.vertx.core.Promise<StreamHub> started = io.vertx.core.Promise.promise();
      vertx.runOnContext(v -> {
        StreamHub h = StreamHub.start(vertx, config, redis, 1000, null, EventSpans.OFF);
        // Sessions sweep in the order they joined: the broken ones first, the healthy one last.
        for (int i = 0; i < 3; i++) {
          session(socket(brokenPings, true), 1, h, config).start();
        }
        session(socket(healthyPings, false), 2, h, config).start();
        started.complete(h);
      });
      StreamHub hub = Await.result(started.future());
      Await.until("the healthy session's ping", Duration.ofSeconds(10), () -> healthyPings.get() >= 1);
      assertEquals(3, brokenPings.get(), "each broken socket was tried once, then left the hub");
      Await.result(vertx.timer(1500));
      assertEquals(3, brokenPings.get(), "a socket that closed under the sweep is not pinged again");
      assertEquals(1, hub.sessionCount(), "only the healthy session is left");
    } finally {
      redis.close();
      vertx.close().await();
    }
  }

  private static io.vertx.core.Future<Long> noReauth(long userId, String token) {
    return io.vertx.core.Future.failedFuture("not in this test");
  }

  /** A socket that counts pings; a {@code broken} one is closed under the sweep and throws as a real one does. */
  /** A session over a stand-in socket: its frames go through the socket's own API (no Netty channel). */
  private static StreamSession session(ServerWebSocket ws, long userId, StreamHub hub, StreamConfig config) {
    return new StreamSession(ws, FrameSink.of(ws, null), userId, 0, hub, config, SweepTest::noReauth, () -> { });
  }

  private static ServerWebSocket socket(AtomicInteger pings, boolean broken) {
    return (ServerWebSocket) Proxy.newProxyInstance(SweepTest.class.getClassLoader(),
        new Class<?>[] {ServerWebSocket.class}, (proxy, method, args) -> {
          switch (method.getName()) {
            case "writePing":
              pings.incrementAndGet();
              if (broken) {
                throw new IllegalStateException("WebSocket is closed");
              }
              return Future.succeededFuture();
            case "isClosed":
            case "writeQueueFull":
              return false;
            case "hashCode":
              return System.identityHashCode(proxy);
            case "equals":
              return proxy == args[0];
            case "toString":
              return broken ? "broken socket" : "healthy socket";
            default:
              if (method.getReturnType() == ServerWebSocket.class) {
                return proxy;
              }
              if (method.getReturnType() == Future.class) {
                return Future.succeededFuture();
              }
              if (method.getReturnType() == boolean.class) {
                return false;
              }
              if (method.getReturnType() == int.class || method.getReturnType() == long.class) {
                return 0;
              }
              return null;
          }
        });
  }
}
