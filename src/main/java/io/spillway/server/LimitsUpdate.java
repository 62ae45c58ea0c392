package io.spillway.server;

import io.spillway.config.ConfigException;
import io.spillway.config.ConfigReader;
import io.spillway.config.ConfigSource;
import io.spillway.config.LimitsConfig;
import io.spillway.limit.RateLimiter;
import io.spillway.web.JsonBodies;
import io.spillway.web.Problems;
import io.spillway.web.ProblemType;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Swaps a node's {@code limits} section without a restart: the policies and the trusted proxies. Used by
 * {@code PUT /admin/limits} on the management port and by SIGHUP; a bad section is refused whole and the
 * running limits stay.
 */
public final class LimitsUpdate {
  private static final Logger LOG = LoggerFactory.getLogger(LimitsUpdate.class);

  private final RateLimiter limiter;
  private final CallerHandler callers;

  public LimitsUpdate(RateLimiter limiter, CallerHandler callers) {
    this.limiter = limiter;
    this.callers = callers;
  }

  /** The limits in force now. */
  public LimitsConfig current() {
    return limiter.config();
  }

  public void apply(LimitsConfig limits) {
    limiter.update(limits);
    callers.trust(limits.trustedProxies());
    LOG.info("rate limits updated: {} policies", limits.policies().size());
  }

  /** The query parameter that confirms an update leaving no policy in force. */
  static final String ALLOW_UNLIMITED = "allowUnlimited";

  /**
   * {@code PUT /admin/limits}: the body is a whole {@code limits} section. It is read over the shipped defaults
   * of that section (a key it leaves out has its default; a list such as {@code policies} replaces the
   * default list whole) and validated exactly as at start. An update that leaves no policy in force (no
   * policies, or {@code enabled: false}) is refused unless the request says {@code ?allowUnlimited=true}.
   */
  void handle(RoutingContext ctx) {
    try {
      LimitsConfig updated = parse(JsonBodies.object(ctx));
      if (unlimited(updated) && !"true".equals(ctx.request().getParam(ALLOW_UNLIMITED))) {
        Problems.send(ctx, ProblemType.INVALID_CONFIG.with("this update leaves no rate-limit policy in force ("
            + (updated.enabled() ? "limits.policies is empty" : "limits.enabled is false")
            + "); send it with ?" + ALLOW_UNLIMITED + "=true if that is what you mean"));
        return;
      }
      apply(updated);
      ctx.response().putHeader("Content-Type", "application/json")
          .end(new JsonObject().put("policies", updated.policies().size()).encode());
    } catch (ConfigException e) {
      Problems.send(ctx, ProblemType.INVALID_CONFIG.with(e.getMessage()));
    }
  }

  static boolean unlimited(LimitsConfig limits) {
    return !limits.enabled() || limits.policies().isEmpty();
  }

  static LimitsConfig parse(JsonObject section) {
    JsonObject merged = ConfigSource.merge(ConfigSource.defaults().getJsonObject("limits"), section);
    return LimitsConfig.from(new ConfigReader(merged, "limits"));
  }
}
