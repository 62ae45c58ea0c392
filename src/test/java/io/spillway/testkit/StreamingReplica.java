package io.spillway.testkit;

import org.junit.jupiter.api.Assumptions;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * A real streaming replica of the local PostgreSQL ({@link LocalPostgres}): a second cluster on its own port,
 * made with {@code pg_basebackup -R} (which writes {@code primary_conninfo} and {@code standby.signal}) and
 * started with {@code pg_ctl}, replaying the primary's WAL as it streams in. Every database of the primary is
 * on it, including those created after it started. {@link #close} stops it and deletes its directory; a JVM
 * that exits without closing it stops it too.
 *
 * <p>What it needs from the machine: the PostgreSQL server binaries of the primary's major version under
 * {@code /usr/lib/postgresql/<major>/bin}; to run as root (the binaries then run as the {@code postgres} OS
 * user, via {@code runuser}) or as that user; and a primary with {@code wal_level} {@code replica} or higher,
 * a free WAL sender ({@code max_wal_senders}) and a {@code pg_hba.conf} line that lets {@code postgres}
 * open a replication connection from 127.0.0.1, such as {@code host replication postgres 127.0.0.1/32 trust}
 * (the line for {@code all} databases does not cover replication). When any of these is missing, {@link #start}
 * fails under {@code CI=true} and otherwise skips the test, saying what is missing.
 */
public final class StreamingReplica implements AutoCloseable {
  /** Settings a hot standby may not set lower than its primary has them. */
  private static final List<String> AT_LEAST_PRIMARY = List.of("max_connections", "max_worker_processes",
      "max_wal_senders", "max_prepared_transactions", "max_locks_per_transaction");
  private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(120);

  private final Path dir;
  private final Path bin;
  private final int port;
  private final Thread stopOnExit;

  private StreamingReplica(Path dir, Path bin, int port) {
    this.dir = dir;
    this.bin = bin;
    this.port = port;
    this.stopOnExit = new Thread(this::stopAndDelete, "stop-streaming-replica");
    Runtime.getRuntime().addShutdownHook(stopOnExit);
  }

  /** Copies the local primary and starts the copy as its streaming replica. */
  public static StreamingReplica start() {
    String major = primary("SELECT current_setting('server_version_num')::int / 10000").trim();
    Path bin = Path.of("/usr/lib/postgresql", major, "bin");
    require(Files.isExecutable(bin.resolve("pg_basebackup")), "no PostgreSQL " + major + " binaries in " + bin);
    boolean root = "root".equals(System.getProperty("user.name"));
    require(root || "postgres".equals(System.getProperty("user.name")),
        "the replica's server must run as the postgres OS user: run the tests as root or as postgres");
    Path dir;
    try {
      dir = Files.createTempDirectory("spillway-replica-");
      if (root) {
        run(List.of("chown", "postgres:postgres", dir.toString()));
      }
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
    int port = Ports.free();
    StreamingReplica replica = new StreamingReplica(dir, bin, port);
    try {
      Result backup = replica.asPostgres(bin.resolve("pg_basebackup").toString(), "-h", LocalPostgres.HOST,
          "-p", Integer.toString(LocalPostgres.PORT), "-U", LocalPostgres.USER, "-D", replica.data().toString(),
          "-R", "-X", "stream", "-c", "fast");
      require(backup.exit() == 0, "pg_basebackup from " + LocalPostgres.HOST + ":" + LocalPostgres.PORT
          + " failed (a replication connection needs a line such as 'host replication postgres 127.0.0.1/32 trust'"
          + " in the primary's pg_hba.conf, and wal_level=replica): " + backup.output().trim());
      StringBuilder conf = new StringBuilder()
          .append("port = ").append(port).append('\n')
          .append("listen_addresses = '127.0.0.1'\n")
          .append("unix_socket_directories = '").append(dir).append("'\n")
          .append("hot_standby = on\n")
          .append("fsync = off\n")
          .append("shared_buffers = 16MB\n");
      for (String setting : AT_LEAST_PRIMARY) {
        conf.append(setting).append(" = ").append(primary("SELECT current_setting('" + setting + "')").trim())
            .append('\n');
      }
      replica.writeAsPostgres("postgresql.conf", conf.toString());
      replica.writeAsPostgres("pg_hba.conf", "local all all trust\nhost all all 127.0.0.1/32 trust\n");
      replica.writeAsPostgres("pg_ident.conf", "");
      Result started = replica.asPostgres(bin.resolve("pg_ctl").toString(), "-D", replica.data().toString(),
          "-l", dir.resolve("server.log").toString(), "-w", "-t", "60", "start");
      if (started.exit() != 0) {
        throw new IllegalStateException("the replica did not start: " + started.output() + "\n" + replica.log());
      }
      return replica;
    } catch (RuntimeException | Error e) {
      replica.close();
      throw e;
    }
  }

  public String host() {
    return "127.0.0.1";
  }

  public int port() {
    return port;
  }

  /** Stops applying the WAL it receives: from now on it shows the primary as it was. */
  public void pauseReplay() {
    sql("SELECT pg_wal_replay_pause()");
    Await.until("replay paused on the replica", Duration.ofSeconds(30),
        () -> "paused".equals(sql("SELECT pg_get_wal_replay_pause_state()").trim()));
  }

  public void resumeReplay() {
    sql("SELECT pg_wal_replay_resume()");
  }

  /** Waits until the replica has replayed up to the primary's current WAL position. */
  public void awaitCaughtUp() {
    String target = primary("SELECT pg_current_wal_insert_lsn()").trim();
    Await.until("the replica replayed up to " + target, Duration.ofSeconds(60),
        () -> "t".equals(sql("SELECT pg_last_wal_replay_lsn() >= '" + target + "'::pg_lsn").trim()));
  }

  /** The answer of {@code query} on the replica (psql's unaligned output). */
  public String sql(String query) {
    return psql(bin, host(), port, query);
  }

  @Override
  public void close() {
    stopAndDelete();
    try {
      Runtime.getRuntime().removeShutdownHook(stopOnExit);
    } catch (IllegalStateException exiting) {
      // The JVM is exiting: the hook runs anyway.
    }
  }

  private synchronized void stopAndDelete() {
    if (!Files.exists(dir)) {
      return;
    }
    if (Files.exists(data().resolve("postmaster.pid"))) {
      asPostgres(bin.resolve("pg_ctl").toString(), "-D", data().toString(), "-m", "immediate", "-w", "stop");
    }
    try (Stream<Path> files = Files.walk(dir)) {
      files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      throw new IllegalStateException("could not delete " + dir, e);
    }
  }

  private Path data() {
    return dir.resolve("data");
  }

  private String log() {
    try {
      return Files.readString(dir.resolve("server.log"));
    } catch (IOException e) {
      return "(no server log)";
    }
  }

  private void writeAsPostgres(String name, String text) {
    try {
      Path file = data().resolve(name);
      Files.writeString(file, text, StandardCharsets.UTF_8);
      if ("root".equals(System.getProperty("user.name"))) {
        run(List.of("chown", "postgres:postgres", file.toString()));
      }
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  private Result asPostgres(String... command) {
    List<String> full = new ArrayList<>();
    if ("root".equals(System.getProperty("user.name"))) {
      full.addAll(List.of("runuser", "-u", "postgres", "--"));
    }
    full.addAll(List.of(command));
    return run(full);
  }

  private static String primary(String query) {
    return psql(Path.of(""), LocalPostgres.HOST, LocalPostgres.PORT, query);
  }

  private static String psql(Path bin, String host, int port, String query) {
    String psql = bin.toString().isEmpty() ? "psql" : bin.resolve("psql").toString();
    Result r = run(List.of(psql, "-X", "-At", "-h", host, "-p", Integer.toString(port), "-U", LocalPostgres.USER,
        "-d", "postgres", "-c", query));
    if (r.exit() != 0) {
      throw new IllegalStateException(query + " failed on " + host + ":" + port + ": " + r.output());
    }
    return r.output();
  }

  private record Result(int exit, String output) {}

  private static Result run(List<String> command) {
    try {
      Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
      p.getOutputStream().close();
      if (!p.waitFor(COMMAND_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new IllegalStateException(String.join(" ", command) + " did not finish in " + COMMAND_TIMEOUT);
      }
      return new Result(p.exitValue(), new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
    } catch (IOException e) {
      return new Result(-1, e.toString());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** A missing prerequisite fails the build under CI=true; elsewhere the test is skipped, saying what is missing. */
  private static void require(boolean present, String what) {
    if (present) {
      return;
    }
    if ("true".equalsIgnoreCase(System.getenv("CI"))) {
      fail("CI=true, so the streaming-replica test may not be skipped: " + what);
    }
    System.err.println("StreamingReplica skipped: " + what);
    Assumptions.abort(what);
  }
}
