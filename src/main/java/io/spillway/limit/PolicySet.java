package io.spillway.limit;

import io.spillway.config.LimitsConfig;

import java.util.ArrayList;
import java.util.List;

/** One immutable compiled config; the limiter swaps the whole set on reload, so a request sees one version. */
final class PolicySet {
  final LimitsConfig config;
  final List<Policy> policies;
  /** Some policy is in leased mode. */
  final boolean leasing;

  PolicySet(LimitsConfig config) {
    this.config = config;
    this.policies = config.policies().stream().map(Policy::new).toList();
    this.leasing = config.policies().stream().anyMatch(p -> p.common().lease() != null);
  }

  List<Charge> charges(RequestInfo info) {
    return charges(info, Stage.ALL);
  }

  List<Charge> charges(RequestInfo info, Stage stage) {
    List<Charge> out = new ArrayList<>(policies.size());
    for (Policy p : policies) {
      if (!stage.includes(p)) {
        continue;
      }
      Charge c = p.charge(info, config.keyPrefix());
      if (c != null) {
        out.add(c);
      }
    }
    return out;
  }
}
