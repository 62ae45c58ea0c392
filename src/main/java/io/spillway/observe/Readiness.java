package io.spillway.observe;

import io.vertx.core.Vertx;
import io.vertx.core.shareddata.Shareable;

/**
 * Whether this node takes traffic: yes from the start until a graceful stop begins its drain. Dependency
 * outages do not change it (a node with Redis or one shard down still serves what it can, and so would any
 * other node); they are reported by {@link HealthChecks} on the management port. One per node, found
 * through the Vertx instance.
 */
public final class Readiness implements Shareable {
  private volatile boolean draining;

  private Readiness() {}

  public static Readiness of(Vertx vertx) {
    return (Readiness) vertx.sharedData().getLocalMap("spillway.node").computeIfAbsent("readiness", k -> new Readiness());
  }

  /** From now on readiness fails and responses ask clients to close their connections. */
  public void drain() {
    draining = true;
  }

  public boolean draining() {
    return draining;
  }
}
