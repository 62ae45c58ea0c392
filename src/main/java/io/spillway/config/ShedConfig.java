package io.spillway.config;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Load shedding: an adaptive per-node concurrency limit, a short queue for normal requests, a reserve for
 * critical ones, event-loop lag as a second overload signal, and a per-client in-flight cap. See
 * docs/throttling.md for what each key does.
 *
 * @param algorithm       how the limit is learned ({@link Algorithm#FIXED} holds {@code initialLimit})
 * @param smoothing       how far the limit moves towards each new estimate; {@code shed.smoothing} null (the
 *                        default) is the algorithm's own ({@link Algorithm#defaultSmoothing})
 * @param windowMs        latency samples are aggregated over this long before the limit moves
 * @param criticalReserve share of the limit only critical requests may use
 * @param maxQueueMs      longest a normal or critical request waits for a slot; 0 turns queueing off
 * @param maxQueueLength  most requests waiting at once; 0 turns queueing off
 * @param eventLoopLagMs  timer drift above which the node counts as overloaded; 0 turns the probe off
 */
public record ShedConfig(
    boolean enabled,
    Algorithm algorithm,
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
    List<RouteRule> routes,
    long warmupMs) {

  /** How the concurrency limit is learned ({@code shed.algorithm}). */
  public enum Algorithm implements ConfigChoice {
    GRADIENT2(0.2),
    // Vegas already moves in small log steps; smoothing those again would leave it too slow to matter.
    VEGAS(1.0),
    FIXED(0.2);

    private final double defaultSmoothing;

    Algorithm(double defaultSmoothing) {
      this.defaultSmoothing = defaultSmoothing;
    }

    /** The smoothing used when {@code shed.smoothing} is null: the one place this rule lives. */
    double defaultSmoothing() {
      return defaultSmoothing;
    }
  }

  public ShedConfig {
    Check.present("shed.algorithm", algorithm);
    Check.range("shed.minLimit", minLimit, 1, 1_000_000);
    Check.range("shed.maxLimit", maxLimit, 1, 1_000_000);
    if (maxLimit < minLimit) {
      throw new ConfigException("shed.maxLimit", maxLimit + " is below shed.minLimit (" + minLimit + ")");
    }
    if (initialLimit < minLimit || initialLimit > maxLimit) {
      throw new ConfigException("shed.initialLimit", initialLimit + " is out of range; allowed: "
          + minLimit + ".." + maxLimit + " (shed.minLimit..shed.maxLimit)");
    }
    Check.range("shed.smoothing", smoothing, 0.0, 1.0);
    if (smoothing == 0.0) {
      throw new ConfigException("shed.smoothing", "0 would freeze the limit; allowed: above 0 up to 1");
    }
    Check.range("shed.windowMs", windowMs, 10, 600_000);
    Check.range("shed.criticalReserve", criticalReserve, 0.0, 0.9);
    Check.range("shed.maxQueueMs", maxQueueMs, 0, 60_000);
    Check.range("shed.maxQueueLength", maxQueueLength, 0, 1_000_000);
    Check.range("shed.eventLoopLagMs", eventLoopLagMs, 0, 60_000);
    Check.range("shed.retryAfterSeconds", retryAfterSeconds, 0, 3600);
    Check.range("shed.warmupMs", warmupMs, 0, 3_600_000);
    Check.present("shed.perClient", perClient);
    routes = List.copyOf(routes);
  }

  /**
   * Stripe's concurrent-request limiter: at most {@code maxInFlight} requests in progress per user, and
   * {@code maxInFlightPerAddress} per address (an IPv6 address by its /64) for anonymous callers.
   */
  public record PerClient(boolean enabled, int maxInFlight, int maxInFlightPerAddress) {
    public PerClient {
      Check.range("shed.perClient.maxInFlight", maxInFlight, 1, 1_000_000);
      Check.range("shed.perClient.maxInFlightPerAddress", maxInFlightPerAddress, 1, 1_000_000);
    }

    /** A cap of {@code maxInFlight} per user, and per address as shipped. */
    public PerClient(boolean enabled, int maxInFlight) {
      this(enabled, maxInFlight, 50);
    }
  }

  /**
   * Requests whose method is in {@code methods} (empty: any) and whose route or path matches {@code path} get
   * {@code priority}. {@code path} segments are literals, {@code :name} (one segment) or a final {@code *}
   * (any rest, including none). Methods are upper case.
   */
  public record RouteRule(Priority priority, String path, List<String> methods) {
    public RouteRule {
      Check.present("shed.routes[].priority", priority);
      String problem = RoutePattern.problem(path);
      if (problem != null) {
        throw new ConfigException("shed.routes[].path", "'" + path + "' " + problem
            + " (e.g. /v1/users/:id/posts, /v1/*)");
      }
      methods = List.copyOf(methods);
      for (String m : methods) {
        if (!HttpMethods.ALL.contains(m)) {
          throw new ConfigException("shed.routes[].methods", "'" + m + "' is not allowed; allowed values: "
              + HttpMethods.allowed());
        }
      }
    }
  }

  public static ShedConfig from(ConfigReader r) {
    Algorithm algorithm = r.choice("algorithm", Algorithm.class);
    Double smoothing = r.optionalDecimal("smoothing");
    ConfigReader client = r.child("perClient");
    return new ShedConfig(
        r.bool("enabled"),
        algorithm,
        r.integer("initialLimit"),
        r.integer("minLimit"),
        r.integer("maxLimit"),
        smoothing != null ? smoothing : algorithm.defaultSmoothing(),
        r.number("windowMs"),
        r.decimal("criticalReserve"),
        r.number("maxQueueMs"),
        r.integer("maxQueueLength"),
        r.number("eventLoopLagMs"),
        r.integer("retryAfterSeconds"),
        new PerClient(client.bool("enabled"), client.integer("maxInFlight"), client.integer("maxInFlightPerAddress")),
        r.list("routes", ShedConfig::route),
        r.number("warmupMs"));
  }

  private static RouteRule route(ConfigReader r) {
    List<String> methods = new ArrayList<>();
    // Methods are case-insensitive here: "get" in a rule means GET.
    for (String m : r.strings("methods")) {
      methods.add(m.trim().toUpperCase(Locale.ROOT));
    }
    return new RouteRule(r.choice("priority", Priority.class), r.requiredString("path"), methods);
  }
}
