package io.spillway.push;

import io.spillway.testkit.ApiClient;
import io.spillway.testkit.SpillwayApp;
import io.vertx.core.http.HttpMethod;
import org.junit.jupiter.api.Assumptions;
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
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The demo page in real headless Chromium: log in, see the feed go live, post, and see posts appear without
 * a reload; then the page's WebSocket drops, the author posts while the page is away, and after the page has
 * reconnected by itself each post is shown (and was sent) exactly once. The browser is Debian's {@code
 * chromium}, driven by {@code playwright-core} from {@code src/test/browser} ({@code .ci/run} installs both).
 * Under {@code CI=true} a missing browser, Node.js or playwright-core fails the build; elsewhere the test is
 * skipped with a message saying how to install them.
 */
class BrowserDemoTest {
  private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
  private static final String INSTALL = "install Chromium with 'apt-get install chromium' (it must be at " + CHROMIUM
      + ") and playwright-core with 'npm install' in src/test/browser (Node.js 18 or later); .ci/run does both";

  @RegisterExtension
  static SpillwayApp app = SpillwayApp.create().configure(tree ->
      tree.getJsonObject("kafka").put("topic", "events-" + UUID.randomUUID()));

  @Test
  void postsAppearLiveInTheBrowserAndOnceEachAfterAReconnect() throws Exception {
    Path dir = Path.of(System.getProperty("project.basedir", "."), "src", "test", "browser");
    require(Files.isExecutable(CHROMIUM), "no Chromium at " + CHROMIUM);
    require(commandWorks(dir, "node", "--version"), "no Node.js ('node') on the PATH");
    if (!Files.isDirectory(dir.resolve("node_modules").resolve("playwright-core"))) {
      Result install = commandWorks(dir, "npm", "--version")
          ? run(dir, 180, "npm", "install", "--no-audit", "--no-fund")
          : new Result(-1, "no npm on the PATH");
      require(install.exit() == 0, "playwright-core is not installed and 'npm install' failed:\n" + install.output());
    }
    ApiClient api = new ApiClient(app.client());
    ApiClient.User viewer = api.newUser("viewer");
    ApiClient.User author = api.newUser("author");
    assertEquals(200, api.call(HttpMethod.PUT, "/v1/users/" + author.id() + "/follow", viewer, null).statusCode());

    Path screenshot = Path.of(System.getProperty("project.basedir", "."), "target", "demo-page.png");
    Result demo = run(dir, 150, "node", "demo.mjs", "http://127.0.0.1:" + app.port(), viewer.email(),
        "password-viewer", author.id(), author.token(), screenshot.toString());
    assertEquals(0, demo.exit(), "the browser script failed:\n" + demo.output());
    for (String step : List.of("own post appeared live", "followed author post appeared live", "posted while away",
        "reconnected and resumed: every post exactly once")) {
      assertTrue(demo.output().contains(step), "missing step '" + step + "':\n" + demo.output());
    }
  }

  /** A missing tool fails the build under CI=true; elsewhere the test is skipped, saying how to install it. */
  private static void require(boolean present, String what) {
    if (present) {
      return;
    }
    if ("true".equalsIgnoreCase(System.getenv("CI"))) {
      fail("CI=true, so the browser test may not be skipped: " + what + "; " + INSTALL);
    }
    String message = "skipped: " + what + "; to run it, " + INSTALL;
    System.err.println("BrowserDemoTest " + message);
    Assumptions.abort(message);
  }

  private static boolean commandWorks(Path dir, String... command) {
    try {
      return run(dir, 30, command).exit() == 0;
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
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
