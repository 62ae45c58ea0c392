package io.spillway.observe;

import io.spillway.testkit.ApiClient;
import io.spillway.testkit.Scrape;
import io.spillway.testkit.SpillwayApp;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every metric the Grafana dashboards and the alert rules query is exported by the server. */
class DashboardMetricsTest {
  private static final Pattern METRIC = Pattern.compile("\\b((?:spillway|vertx|jvm|process)_[a-zA-Z0-9_:]+)");
  private static final Path DOCKER = Path.of("docker");

  @RegisterExtension
  static SpillwayApp app = SpillwayApp.create();

  @Test
  void dashboardsAndAlertsOnlyQueryExportedMetrics() throws IOException {
    List<String> queries = new ArrayList<>();
    try (Stream<Path> dashboards = Files.list(DOCKER.resolve("grafana/dashboards"))) {
      for (Path file : dashboards.filter(p -> p.toString().endsWith(".json")).toList()) {
        collectExprs(new JsonObject(Files.readString(file)).getJsonArray("panels"), queries);
      }
    }
    int dashboardQueries = queries.size();
    for (String line : Files.readAllLines(DOCKER.resolve("alerts.yml"))) {
      queries.add(line);
    }
    assertTrue(dashboardQueries >= 10, "the dashboard has panels with queries");

    // Traffic that makes lazily created series appear (HTTP routes, data operations, pools, GC).
    ApiClient api = new ApiClient(app.client());
    ApiClient.User u = api.newUser("dashboard");
    api.post(u, "for the dashboard");
    api.get("/v1/users/" + u.id(), null);
    Set<String> queried = new TreeSet<>();
    for (String query : queries) {
      Matcher m = METRIC.matcher(query);
      while (m.find()) {
        queried.add(m.group(1));
      }
    }
    // GC pause timers appear with the first collection the JVM reports, which arrives asynchronously.
    Set<String> missing = new TreeSet<>(queried);
    long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
    while (!missing.isEmpty() && System.nanoTime() < deadline) {
      System.gc();
      missing.removeAll(Scrape.of(app.client(), app.managementPort()).names());
    }
    assertTrue(queried.size() >= 8, "the dashboard and alerts query metrics: " + queried);
    assertTrue(missing.isEmpty(), "queried but not exported: " + missing);
  }

  private static void collectExprs(JsonArray panels, List<String> out) {
    if (panels == null) {
      return;
    }
    for (int i = 0; i < panels.size(); i++) {
      JsonObject panel = panels.getJsonObject(i);
      JsonArray targets = panel.getJsonArray("targets", new JsonArray());
      for (int t = 0; t < targets.size(); t++) {
        out.add(targets.getJsonObject(t).getString("expr", ""));
      }
      collectExprs(panel.getJsonArray("panels"), out);
    }
  }
}
