package io.spillway.testkit;

import io.vertx.ext.web.client.WebClient;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** A scraped Prometheus text page: samples by their full series name ({@code name{labels}}). */
public final class Scrape {
  private static final Pattern SAMPLE = Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{[^}]*\\})?\\s+(\\S+)");
  private static final Pattern LABEL = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"((?:[^\"\\\\]|\\\\.)*)\"");
  private final Map<String, Double> samples = new HashMap<>();
  private final Map<String, List<Map<String, String>>> series = new HashMap<>();
  private final Set<String> names = new HashSet<>();

  private Scrape(String text) {
    for (String line : text.split("\n")) {
      Matcher m = SAMPLE.matcher(line);
      if (!line.startsWith("#") && m.find()) {
        names.add(m.group(1));
        samples.put(m.group(1) + (m.group(2) == null ? "" : m.group(2)), Double.parseDouble(m.group(3)));
        Map<String, String> labels = new LinkedHashMap<>();
        if (m.group(2) != null) {
          Matcher l = LABEL.matcher(m.group(2));
          while (l.find()) {
            labels.put(l.group(1), l.group(2));
          }
        }
        series.computeIfAbsent(m.group(1), k -> new ArrayList<>()).add(labels);
      }
    }
  }

  public static Scrape of(WebClient client, int managementPort) {
    return new Scrape(Await.result(client.get(managementPort, "127.0.0.1", "/metrics").send()).bodyAsString());
  }

  /**
   * The value of the series with this name whose labels include all of {@code labels} (summed over the rest).
   * A missing series reads as 0: assert {@link #has} too when its absence would matter.
   */
  public double value(String name, String... labels) {
    double sum = 0;
    for (Map.Entry<String, Double> e : samples.entrySet()) {
      if (matches(e.getKey(), name, labels)) {
        sum += e.getValue();
      }
    }
    return sum;
  }

  /** Whether at least one series of this name has all of {@code labels} ({@code key="value"}), zero or not. */
  public boolean has(String name, String... labels) {
    return samples.keySet().stream().anyMatch(series -> matches(series, name, labels));
  }

  /** The label sets of every series of this metric name (empty when the name is not exported). */
  public List<Map<String, String>> series(String name) {
    return series.getOrDefault(name, List.of());
  }

  /** Every metric name on the page (without label sets). */
  public Set<String> names() {
    return names;
  }

  private static boolean matches(String series, String name, String... labels) {
    if (!series.equals(name) && !series.startsWith(name + "{")) {
      return false;
    }
    for (String label : labels) {
      if (!series.contains(label)) {
        return false;
      }
    }
    return true;
  }
}
