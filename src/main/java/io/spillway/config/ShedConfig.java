package io.spillway.config;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Load shedding: an adaptive per-node concurrency limit, a short queue for normal requests, a reserve for
 * critical ones, event-loop lag as a second overload signal, and a per-client in-flight cap. See
 * docs/throttling.md for what each key does.
 *
 * @param algorithm       {@code gradient2}, {@code vegas} or {@code fixed} (which holds {@code initialLimit})
 * @param smoothing       how far the limit moves towards each new estimate (default 0.2; 1.0 for vegas)
 * @param windowMs        latency samples are aggregated over this long before the limit moves
 * @param criticalReserve share of the limit only critical requests may use
 * @param maxQueueMs      longest a normal or critical request waits for a slot; 0 turns queueing off
 * @param maxQueueLength  most requests waiting at once; 0 turns queueing off
 * @param eventLoopLagMs  timer drift above which the node counts as overloaded; 0 turns the probe off
 */
public record ShedConfig(
    boolean enabled,
    String algorithm,
    int initialLimit,
    int minLimit,
    int maxLimit,
    double smoothing,
    long windowMs,
    double criticalReserve,
    long maxQueueMs,
    int maxQueueLength,
    long eventLoopLagMs,
    int retryAfterSeconds,
    PerClient perClient,
    List<RouteRule> routes) {

  public static final Set<String> ALGORITHMS = Set.of("gradient2", "vegas", "fixed");
  public static final Set<String> PRIORITIES = Set.of("critical", "normal", "sheddable");
  public static final Set<String> METHODS = HttpMethods.ALL;

  /** Stripe's concurrent-request limiter: at most {@code maxInFlight} requests in progress per user or API key. */
  public record PerClient(boolean enabled, int maxInFlight) {}

  /**
   * Requests whose method is in {@code methods} (empty: any) and whose route or path matches {@code path} get
   * {@code priority}. {@code path} segments are literals, {@code :name} (one segment) or a final {@code *}
   * (any rest, including none).
   */
  public record RouteRule(String priority, String path, List<String> methods) {}

  public static ShedConfig from(ConfigReader r) {
    int minLimit = r.integer("minLimit", 10, 1, 1_000_000);
    int maxLimit = r.integer("maxLimit", 1000, 1, 1_000_000);
    if (maxLimit < minLimit) {
      throw new ConfigException(r.key("maxLimit") + ": " + maxLimit + " is below shed.minLimit (" + minLimit + ")");
    }
    int initialLimit = r.integer("initialLimit", Math.max(minLimit, Math.min(100, maxLimit)), 1, 1_000_000);
    if (initialLimit < minLimit || initialLimit > maxLimit) {
      throw new ConfigException(r.key("initialLimit") + ": " + initialLimit + " is out of range; allowed: "
          + minLimit + ".." + maxLimit + " (shed.minLimit..shed.maxLimit)");
    }
    String algorithm = r.oneOf("algorithm", "gradient2", ALGORITHMS);
    // Gradient2 moves a fraction of the way each window; Vegas already moves in small log steps, so smoothing
    // those again would leave it too slow to matter.
    double smoothing = r.decimal("smoothing", algorithm.equals("vegas") ? 1.0 : 0.2, 0.0, 1.0);
    if (smoothing == 0.0) {
      throw new ConfigException(r.key("smoothing") + ": 0 would freeze the limit; allowed: above 0 up to 1");
    }
    ConfigReader client = r.child("perClient");
    return new ShedConfig(
        r.bool("enabled", true),
        algorithm,
        initialLimit,
        minLimit,
        maxLimit,
        smoothing,
        r.number("windowMs", 1000, 10, 600_000),
        r.decimal("criticalReserve", 0.2, 0.0, 0.9),
        r.number("maxQueueMs", 50, 0, 60_000),
        r.integer("maxQueueLength", 256, 0, 1_000_000),
        r.number("eventLoopLagMs", 200, 0, 60_000),
        r.integer("retryAfterSeconds", 1, 0, 3600),
        new PerClient(client.bool("enabled", false), client.integer("maxInFlight", 20, 1, 1_000_000)),
        r.list("routes", ShedConfig::route));
  }

  static RouteRule route(ConfigReader r) {
    String priority = r.oneOf("priority", "normal", PRIORITIES);
    String path = r.requiredString("path");
    String problem = patternProblem(path);
    if (problem != null) {
      throw new ConfigException(r.key("path") + ": '" + path + "' " + problem
          + " (e.g. /v1/users/:id/posts, /v1/*)");
    }
    List<String> methods = new ArrayList<>();
    for (String m : r.strings("methods")) {
      String upper = m.trim().toUpperCase(Locale.ROOT);
      if (!METHODS.contains(upper)) {
        throw new ConfigException(r.key("methods") + ": '" + m + "' is not allowed; allowed values: "
            + String.join(", ", METHODS.stream().sorted().toList()));
      }
      methods.add(upper);
    }
    return new RouteRule(priority, path, List.copyOf(methods));
  }

  /** Why {@code path} is not a pattern the shedder can match, or null when it is one. */
  static String patternProblem(String path) {
    return RoutePattern.problem(path);
  }
}
