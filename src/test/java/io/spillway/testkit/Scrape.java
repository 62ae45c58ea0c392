package io.spillway.testkit;

import io.vertx.ext.web.client.WebClient;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** A scraped Prometheus text page: samples by their full series name ({@code name{labels}}). */
public final class Scrape {
  private static final Pattern SAMPLE = Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{[^}]*\\})?\\s+(\\S+)");
  private final Map<String, Double> samples = new HashMap<>();
  private final Set<String> names = new HashSet<>();

  private Scrape(String text) {
    for (String line : text.split("\n")) {
      Matcher m = SAMPLE.matcher(line);
      if (!line.startsWith("#") && m.find()) {
        names.add(m.group(1));
        samples.put(m.group(1) + (m.group(2) == null ? "" : m.group(2)), Double.parseDouble(m.group(3)));
      }
    }
  }

  public static Scrape of(WebClient client, int managementPort) {
    return new Scrape(Await.result(client.get(managementPort, "127.0.0.1", "/metrics").send()).bodyAsString());
  }

  /** The value of the series with this name whose labels include all of {@code labels} (summed over the rest). */
  public double value(String name, String... labels) {
    double sum = 0;
    for (Map.Entry<String, Double> e : samples.entrySet()) {
      String series = e.getKey();
      if (!series.equals(name) && !series.startsWith(name + "{")) {
        continue;
      }
      boolean all = true;
      for (String label : labels) {
        all &= series.contains(label);
      }
      if (all) {
        sum += e.getValue();
      }
    }
    return sum;
  }

  /** Every metric name on the page (without label sets). */
  public Set<String> names() {
    return names;
  }
}
