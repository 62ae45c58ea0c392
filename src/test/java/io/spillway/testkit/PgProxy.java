package io.spillway.testkit;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetSocket;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A TCP proxy in front of the local PostgreSQL that reads the frontend protocol going through it and records
 * every statement the server is asked to execute (each {@code Execute} of the extended protocol, with the SQL of
 * the statement it runs, and each simple {@code Query}). Point a shard's {@code port} at {@link #port()} to count
 * what the application really sends to that database.
 */
public final class PgProxy implements AutoCloseable {
  private static final int SSL_REQUEST = 80877103;
  private final NetServer server;
  private final List<String> executed = new CopyOnWriteArrayList<>();

  private PgProxy(NetServer server) {
    this.server = server;
  }

  public static PgProxy start(Vertx vertx) {
    NetServer server = vertx.createNetServer();
    PgProxy proxy = new PgProxy(server);
    server.connectHandler(client -> {
      client.pause();
      vertx.createNetClient().connect(LocalPostgres.PORT, LocalPostgres.HOST).onComplete(ar -> {
        if (ar.failed()) {
          client.close();
          return;
        }
        NetSocket pg = ar.result();
        Reader reader = new Reader(proxy.executed);
        client.handler(b -> {
          reader.feed(b);
          pg.write(b);
        });
        pg.handler(client::write);
        client.closeHandler(v -> pg.close());
        pg.closeHandler(v -> client.close());
        client.resume();
      });
    });
    Await.result(server.listen(0, "127.0.0.1"));
    return proxy;
  }

  public int port() {
    return server.actualPort();
  }

  /** Every statement executed so far, in order. */
  public List<String> executed() {
    return List.copyOf(executed);
  }

  @Override
  public void close() {
    server.close();
  }

  /** Splits the client's byte stream into protocol messages and notes the statements it executes. */
  private static final class Reader {
    private final List<String> out;
    private final Map<String, String> statements = new HashMap<>();
    private Buffer pending = Buffer.buffer();
    private boolean started;
    private String bound;

    Reader(List<String> out) {
      this.out = out;
    }

    synchronized void feed(Buffer b) {
      pending.appendBuffer(b);
      while (true) {
        if (!started) {
          if (pending.length() < 8) {
            return;
          }
          int length = pending.getInt(0);
          if (pending.length() < length) {
            return;
          }
          int code = pending.getInt(4);
          pending = pending.getBuffer(length, pending.length());
          if (code != SSL_REQUEST) {
            started = true;
          }
          continue;
        }
        if (pending.length() < 5) {
          return;
        }
        int length = pending.getInt(1);
        if (pending.length() < 1 + length) {
          return;
        }
        byte type = pending.getByte(0);
        Buffer body = pending.getBuffer(5, 1 + length);
        pending = pending.getBuffer(1 + length, pending.length());
        message(type, body);
      }
    }

    private void message(byte type, Buffer body) {
      switch (type) {
        case 'P' -> {
          List<String> parts = cstrings(body, 2);
          statements.put(parts.get(0), parts.get(1));
        }
        case 'B' -> bound = cstrings(body, 2).get(1);
        case 'E' -> out.add(statements.getOrDefault(bound, "?"));
        case 'Q' -> out.add(cstrings(body, 1).get(0));
        default -> { }
      }
    }

    private static List<String> cstrings(Buffer body, int count) {
      List<String> out = new ArrayList<>();
      int at = 0;
      for (int i = 0; i < count; i++) {
        int end = at;
        while (end < body.length() && body.getByte(end) != 0) {
          end++;
        }
        out.add(body.getString(at, end, StandardCharsets.UTF_8.name()));
        at = end + 1;
      }
      return out;
    }
  }
}
