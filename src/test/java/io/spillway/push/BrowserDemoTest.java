package io.spillway.push;

import io.spillway.testkit.ApiClient;
import io.spillway.testkit.SpillwayApp;
import io.vertx.core.http.HttpMethod;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The demo page in real headless Chromium: log in, see the feed go live, post, and see posts appear without
 * a reload. The browser is Debian's {@code chromium}, driven by {@code playwright-core} ({@code .ci/run}
 * installs both).
 */
class BrowserDemoTest {
  private static final Path CHROMIUM = Path.of("/usr/bin/chromium");

  @RegisterExtension
  static SpillwayApp app = SpillwayApp.create().configure(tree ->
      tree.getJsonObject("kafka").put("topic", "events-" + UUID.randomUUID()));

  @Test
  void aPostAppearsLiveInTheBrowser() throws Exception {
    assumeTrue(Files.isExecutable(CHROMIUM), "no Chromium at " + CHROMIUM + " (.ci/run installs it)");
    Path dir = Path.of(System.getProperty("project.basedir", "."), "src", "test", "browser");
    if (!Files.isDirectory(dir.resolve("node_modules").resolve("playwright-core"))) {
      Result install = run(dir, 180, "npm", "install", "--no-audit", "--no-fund");
      assertEquals(0, install.exit(), "npm install failed:\n" + install.output());
    }
    ApiClient api = new ApiClient(app.client());
    ApiClient.User viewer = api.newUser("viewer");
    ApiClient.User author = api.newUser("author");
    assertEquals(200, api.call(HttpMethod.PUT, "/v1/users/" + author.id() + "/follow", viewer, null).statusCode());

    Path screenshot = Path.of(System.getProperty("project.basedir", "."), "target", "demo-page.png");
    Result demo = run(dir, 120, "node", "demo.mjs", "http://127.0.0.1:" + app.port(), viewer.email(),
        "password-viewer", author.id(), author.token(), screenshot.toString());
    assertEquals(0, demo.exit(), "the browser script failed:\n" + demo.output());
    assertTrue(demo.output().contains("followed author post appeared live"), demo.output());
  }

  private record Result(int exit, String output) {}

  private static Result run(Path dir, long timeoutSeconds, String... command) throws IOException, InterruptedException {
    Path log = Files.createTempFile("spillway-browser-", ".log");
    try {
      Process p = new ProcessBuilder(List.of(command)).directory(dir.toFile()).redirectErrorStream(true)
          .redirectOutput(log.toFile()).start();
      if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
        p.destroyForcibly().waitFor();
        return new Result(-1, "timed out after " + timeoutSeconds + " s\n" + Files.readString(log, StandardCharsets.UTF_8));
      }
      return new Result(p.exitValue(), Files.readString(log, StandardCharsets.UTF_8));
    } finally {
      Files.deleteIfExists(log);
    }
  }
}
