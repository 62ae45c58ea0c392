package io.spillway.testkit;

import io.vertx.core.Vertx;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;


/** A throwaway redis-server of the test's own (no persistence), so the test can kill and restart it. */
public final class RedisProcess implements AutoCloseable {
  private final int port;
  private final boolean cluster;
  private Process process;

  public RedisProcess(int port) {
    this(port, false);
  }

  /** With {@code cluster}, a one-node Redis Cluster owning every slot: it enforces CROSSSLOT like a real one. */
  public RedisProcess(int port, boolean cluster) {
    this.port = port;
    this.cluster = cluster;
  }

  /** A redis-server of the caller's own on a free port, started: its command statistics count only its clients. */
  public static RedisProcess started(Vertx vertx) {
    RedisProcess redis = new RedisProcess(Ports.free());
    redis.start(vertx);
    return redis;
  }

  public String uri() {
    return "redis://127.0.0.1:" + port;
  }

  public void start(Vertx vertx) {
    try {
      List<String> command = new ArrayList<>(List.of("redis-server", "--port", Integer.toString(port),
          "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"));
      if (cluster) {
        File nodes = File.createTempFile("spillway-redis-nodes-", ".conf");
        nodes.delete();
        nodes.deleteOnExit();
        command.addAll(List.of("--cluster-enabled", "yes", "--cluster-config-file", nodes.getAbsolutePath()));
      }
      process = new ProcessBuilder(command)
          .redirectErrorStream(true)
          .redirectOutput(new File(System.getProperty("java.io.tmpdir"), "spillway-redis-" + port + ".log"))
          .start();
    } catch (IOException e) {
      throw new UncheckedIOException("redis-server must be on the PATH", e);
    }
    Redis probe = Redis.createClient(vertx, uri());
    try {
      for (int attempt = 0; ; attempt++) {
        try {
          Await.result(probe.send(Request.cmd(Command.PING)));
          if (cluster) {
            awaitClusterReady(vertx, probe);
          }
          return;
        } catch (RuntimeException | AssertionError notYet) {
          if (attempt > 200 || !process.isAlive()) {
            throw new IllegalStateException("redis-server on port " + port + " did not start", notYet);
          }
          Await.result(vertx.timer(25, TimeUnit.MILLISECONDS));
        }
      }
    } finally {
      probe.close();
    }
  }

  private static void awaitClusterReady(Vertx vertx, Redis redis) {
    Await.result(redis.send(Request.cmd(Command.CLUSTER).arg("ADDSLOTSRANGE").arg(0).arg(16383)));
    for (int attempt = 0; attempt < 400; attempt++) {
      if (Await.result(redis.send(Request.cmd(Command.CLUSTER).arg("INFO"))).toString().contains("cluster_state:ok")) {
        return;
      }
      Await.result(vertx.timer(25, TimeUnit.MILLISECONDS));
    }
    throw new IllegalStateException("the one-node cluster did not become ready");
  }

  /** SIGSTOP: the process holds its connections but answers nothing, like a hung Redis. */
  public void pause() {
    signal("STOP");
  }

  /** SIGCONT after {@link #pause}: it answers again, queued commands first. */
  public void resume() {
    signal("CONT");
  }

  private void signal(String name) {
    try {
      Process kill = new ProcessBuilder("kill", "-" + name, Long.toString(process.pid())).start();
      if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0) {
        throw new IllegalStateException("kill -" + name + " failed");
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** SIGKILL: no goodbye to the clients, like a crashed or partitioned Redis. */
  public void kill() {
    if (process == null) {
      return;
    }
    resume();
    process.destroyForcibly();
    try {
      process.waitFor(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    process = null;
  }

  @Override
  public void close() {
    kill();
  }
}
