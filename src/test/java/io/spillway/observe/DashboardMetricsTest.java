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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every metric the Grafana dashboards and the alert rules query is exported by the server, with every label
 * the queries filter on ({@code {label="value"}}) or group by ({@code sum by (label)}): a query on a label
 * the series lack matches nothing, or folds every series into one, and the panel or alert says nothing.
 */
class DashboardMetricsTest {
  private static final Path DOCKER = Path.of("docker");
  private static final Pattern SELECTOR = Pattern.compile(
      "\\b((?:spillway|vertx|jvm|process)_[a-zA-Z0-9_:]+)\\s*(?:\\{([^}]*)})?");
  private static final Pattern MATCHER = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)\\s*(=~|!~|!=|=)\\s*\"([^\"]*)\"");
  private static final Pattern GROUPING = Pattern.compile(
      "\\b(?:sum|max|min|avg|count|stddev|stdvar|group)\\s+(by|without)\\s*\\(([^)]*)\\)\\s*\\(");
  private static final Pattern ANY_GROUPING = Pattern.compile("\\b(by|without)\\s*\\(");
  /** Prometheus adds these to every series it scrapes (docker/prometheus.yml): the server does not export them. */
  private static final Set<String> TARGET_LABELS = Set.of("instance", "job");

  @RegisterExtension
  static SpillwayApp app = SpillwayApp.create().configure(tree -> tree.getJsonObject("limits")
      .getJsonArray("policies").add(new JsonObject().put("name", "dashboard-probe").put("algorithm", "fixed-window")
          .put("limit", 1).put("windowSeconds", 3600).put("routes", new JsonArray()
              .add(new JsonObject().put("path", "/v1/posts/:id").put("methods", new JsonArray().add("GET"))))));

  /** One metric as a query selects it: {@code name{label op "value", ...}}. */
  record Selector(String metric, List<String[]> matchers) {}

  @Test
  void dashboardsAndAlertsOnlyQueryExportedMetricsAndLabels() throws IOException {
    Map<String, String> queries = new LinkedHashMap<>();
    try (Stream<Path> dashboards = Files.list(DOCKER.resolve("grafana/dashboards"))) {
      for (Path file : dashboards.filter(p -> p.toString().endsWith(".json")).sorted().toList()) {
        collectExprs(new JsonObject(Files.readString(file)).getJsonArray("panels"), file.getFileName().toString(),
            queries);
      }
    }
    int dashboardQueries = queries.size();
    alertExprs(Files.readAllLines(DOCKER.resolve("alerts.yml")), queries);
    assertTrue(dashboardQueries >= 10, "the dashboard has panels with queries: " + queries.keySet());
    assertTrue(queries.size() - dashboardQueries >= 8, "the alert rules have expressions: " + queries.keySet());

    // Traffic that makes lazily created series appear: HTTP routes, data operations, pools, and a rejection
    // by the rate limiter (the probe policy admits one lookup of a post per hour).
    ApiClient api = new ApiClient(app.client());
    ApiClient.User u = api.newUser("dashboard");
    String postId = api.post(u, "for the dashboard").getString("id");
    api.get("/v1/users/" + u.id(), null);
    assertEquals(200, api.get("/v1/posts/" + postId, null).statusCode());
    assertEquals(429, api.get("/v1/posts/" + postId, null).statusCode());

    Map<String, List<Selector>> selectors = new LinkedHashMap<>();
    Map<String, Map<Selector, Set<String>>> groupings = new LinkedHashMap<>();
    Set<String> queried = new TreeSet<>();
    queries.forEach((where, query) -> {
      selectors.put(where, selectors(query));
      groupings.put(where, groupings(where, query));
      selectors.get(where).forEach(s -> queried.add(s.metric()));
    });
    assertTrue(queried.size() >= 8, "the dashboard and alerts query metrics: " + queried);

    // GC pause timers appear with the first collection the JVM reports, which arrives asynchronously.
    Scrape scrape = Scrape.of(app.client(), app.managementPort());
    long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
    while (!scrape.names().containsAll(queried) && System.nanoTime() < deadline) {
      System.gc();
      scrape = Scrape.of(app.client(), app.managementPort());
    }
    Set<String> missing = new TreeSet<>(queried);
    missing.removeAll(scrape.names());
    assertTrue(missing.isEmpty(), "queried but not exported: " + missing);
    List<String> problems = problems(scrape, queries.keySet(), selectors, groupings);
    assertTrue(problems.isEmpty(), "queries use labels the exported series lack:\n" + String.join("\n", problems));
  }

  private static List<String> problems(Scrape scrape, Set<String> queries, Map<String, List<Selector>> selectors,
      Map<String, Map<Selector, Set<String>>> groupings) {
    List<String> problems = new ArrayList<>();
    for (String where : queries) {
      for (Selector s : selectors.get(where)) {
        List<Map<String, String>> series = scrape.series(s.metric());
        for (String[] m : s.matchers()) {
          String label = m[0];
          if (m[1].equals("=") && series.stream().noneMatch(l -> m[2].equals(l.get(label)))) {
            problems.add(where + ": no series " + s.metric() + "{" + label + "=\"" + m[2] + "\"}; its values are "
                + series.stream().map(l -> l.get(label)).distinct().toList());
          } else if (series.stream().noneMatch(l -> l.containsKey(label))) {
            problems.add(where + ": " + s.metric() + " has no label '" + label + "' to filter on");
          }
        }
      }
      // Grouped series must all carry the labels: those the selector picks, or all of them when it picks none
      // yet (e.g. code=~"5.." without any 5xx so far).
      groupings.get(where).forEach((s, labels) -> {
        List<Map<String, String>> picked = scrape.series(s.metric()).stream().filter(l -> selects(s, l)).toList();
        List<Map<String, String>> checked = picked.isEmpty() ? scrape.series(s.metric()) : picked;
        for (String label : labels) {
          List<Map<String, String>> without = TARGET_LABELS.contains(label) ? List.of()
              : checked.stream().filter(l -> !l.containsKey(label)).toList();
          if (!without.isEmpty()) {
            problems.add(where + ": grouped by '" + label + "', which " + without.size() + " series of "
                + s.metric() + " lack, e.g. " + without.get(0));
          }
        }
      });
    }
    return problems;
  }

  /** Whether the selector's matchers pick a series with these labels (Prometheus anchors regexes). */
  private static boolean selects(Selector s, Map<String, String> labels) {
    for (String[] m : s.matchers()) {
      String value = labels.getOrDefault(m[0], "");
      boolean ok = switch (m[1]) {
        case "=" -> value.equals(m[2]);
        case "!=" -> !value.equals(m[2]);
        case "=~" -> value.matches(m[2]);
        default -> !value.matches(m[2]);
      };
      if (!ok) {
        return false;
      }
    }
    return true;
  }

  private static List<Selector> selectors(String query) {
    List<Selector> out = new ArrayList<>();
    Matcher m = SELECTOR.matcher(query);
    while (m.find()) {
      List<String[]> matchers = new ArrayList<>();
      if (m.group(2) != null) {
        Matcher label = MATCHER.matcher(m.group(2));
        while (label.find()) {
          matchers.add(new String[] {label.group(1), label.group(2), label.group(3)});
        }
      }
      out.add(new Selector(m.group(1), matchers));
    }
    return out;
  }

  /** For each {@code agg by (labels) (expr)}: the selectors inside expr and the labels they are grouped by. */
  private static Map<Selector, Set<String>> groupings(String where, String query) {
    Map<Selector, Set<String>> out = new LinkedHashMap<>();
    int understood = 0;
    Matcher m = GROUPING.matcher(query);
    while (m.find()) {
      understood++;
      assertEquals("by", m.group(1), where + ": only 'by' groupings are checked: " + query);
      int open = m.end() - 1;
      String inner = query.substring(open, closing(query, open) + 1);
      for (Selector s : selectors(inner)) {
        Set<String> labels = out.computeIfAbsent(s, k -> new TreeSet<>());
        for (String label : m.group(2).split(",")) {
          if (!label.isBlank()) {
            labels.add(label.trim());
          }
        }
      }
    }
    int groupingsInQuery = 0;
    Matcher any = ANY_GROUPING.matcher(query);
    while (any.find()) {
      groupingsInQuery++;
    }
    assertEquals(groupingsInQuery, understood, where + ": a grouping this test cannot read: " + query);
    return out;
  }

  private static int closing(String s, int open) {
    int depth = 0;
    for (int i = open; i < s.length(); i++) {
      if (s.charAt(i) == '(') {
        depth++;
      } else if (s.charAt(i) == ')' && --depth == 0) {
        return i;
      }
    }
    throw new AssertionError("unbalanced parentheses in " + s);
  }

  private static void collectExprs(JsonArray panels, String file, Map<String, String> out) {
    if (panels == null) {
      return;
    }
    for (int i = 0; i < panels.size(); i++) {
      JsonObject panel = panels.getJsonObject(i);
      JsonArray targets = panel.getJsonArray("targets", new JsonArray());
      for (int t = 0; t < targets.size(); t++) {
        String expr = targets.getJsonObject(t).getString("expr", "");
        if (!expr.isBlank()) {
          out.put(file + " panel '" + panel.getString("title") + "' target " + t, expr);
        }
      }
      collectExprs(panel.getJsonArray("panels"), file, out);
    }
  }

  /** The {@code expr} of each rule in the alert file: on one line, or a {@code |} block below it. */
  private static void alertExprs(List<String> lines, Map<String, String> out) {
    String alert = null;
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i).trim();
      if (line.startsWith("- alert:")) {
        alert = line.substring("- alert:".length()).trim();
      } else if (line.startsWith("expr:")) {
        String expr = line.substring("expr:".length()).trim();
        if (expr.equals("|") || expr.equals(">")) {
          int indent = indent(lines.get(i));
          StringBuilder block = new StringBuilder();
          while (i + 1 < lines.size() && (lines.get(i + 1).isBlank() || indent(lines.get(i + 1)) > indent)) {
            block.append(lines.get(++i).trim()).append('\n');
          }
          expr = block.toString().trim();
        }
        out.put("alerts.yml " + alert, expr);
      }
    }
  }

  private static int indent(String line) {
    int n = 0;
    while (n < line.length() && line.charAt(n) == ' ') {
      n++;
    }
    return n;
  }
}
