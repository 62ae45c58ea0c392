package io.spillway.testkit;

import io.vertx.core.json.JsonObject;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** The server's production entry point ({@code io.spillway.Spillway}) run as a separate JVM process. */
public final class NodeProcess implements AutoCloseable {
  private final Process process;
  private final Path output;

  private NodeProcess(Process process, Path output) {
    this.process = process;
    this.output = output;
  }

  public static NodeProcess start(JsonObject config, String... moreArgs) {
    try {
      Path conf = Files.createTempFile("spillway-conf-", ".json");
      Files.writeString(conf, config.encodePrettily());
      List<String> args = new ArrayList<>(List.of("-conf", conf.toString()));
      args.addAll(List.of(moreArgs));
      return start(args.toArray(new String[0]));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public static NodeProcess start(String... args) {
    try {
      Path output = Files.createTempFile("spillway-node-", ".log");
      List<String> cmd = new ArrayList<>(List.of(
          Path.of(System.getProperty("java.home"), "bin", "java").toString(),
          "-Xmx256m", "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"),
          "io.spillway.Spillway"));
      cmd.addAll(List.of(args));
      ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(output.toFile());
      pb.environment().keySet().removeIf(k -> k.startsWith("SPILLWAY_"));
      return new NodeProcess(pb.start(), output);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public Process process() {
    return process;
  }

  /** Sends SIGTERM. */
  public void terminate() {
    process.destroy();
  }

  public int awaitExit(long seconds) throws InterruptedException {
    if (!process.waitFor(seconds, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      throw new AssertionError("the node did not exit within " + seconds + " s; output:\n" + output());
    }
    return process.exitValue();
  }

  public String output() {
    try {
      return Files.readString(output, StandardCharsets.UTF_8);
    } catch (IOException e) {
      return "(no output: " + e.getMessage() + ")";
    }
  }

  @Override
  public void close() {
    process.destroyForcibly();
    try {
      Files.deleteIfExists(output);
    } catch (IOException ignored) {
      // A temp file left behind is harmless.
    }
  }
}
