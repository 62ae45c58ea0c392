package io.spillway.limit;

import io.spillway.config.LimitsConfig;
import io.spillway.config.RateLimitPolicy;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One immutable compiled config; the limiter swaps the whole set on reload, so a request sees one version.
 *
 * <p>Which policies apply to a request, and what it costs under each, depends on its route, method and plan
 * alone for nearly every route: that answer is worked out once per (stage, method, route, plan) and
 * remembered, so a request only builds its keys. A route where it depends on the path (a policy naming one
 * path of a parameterised route, or an unmatched request) is decided rule by rule every time.
 */
final class PolicySet {
  /** Remembered selections at most; past that (made-up routes cannot get here, but plans are data) per request. */
  private static final int MAX_SELECTIONS = 4096;

  final LimitsConfig config;
  final List<Policy> policies;
  /** Some policy is in leased mode. */
  final boolean leasing;

  private record SelectionKey(Stage stage, String method, String route, String plan) {}

  /** The policies that apply to every request of one route, method and plan, and what each costs there. */
  private record Selection(Policy[] policies, int[] costs) {
    static final Selection BY_PATH = new Selection(null, null);
  }

  private final ConcurrentHashMap<SelectionKey, Selection> selections = new ConcurrentHashMap<>();

  PolicySet(LimitsConfig config) {
    this.config = config;
    List<Policy> compiled = new ArrayList<>(config.policies().size());
    for (RateLimitPolicy p : config.policies()) {
      compiled.add(new Policy(p, compiled.size()));
    }
    this.policies = List.copyOf(compiled);
    this.leasing = config.policies().stream().anyMatch(p -> p.common().lease() != null);
  }

  List<Charge> charges(RequestInfo info) {
    return charges(info, Stage.ALL);
  }

  List<Charge> charges(RequestInfo info, Stage stage) {
    Selection selection = selection(info, stage);
    if (selection == Selection.BY_PATH) {
      return chargesByPath(info, stage);
    }
    Policy[] applying = selection.policies();
    List<Charge> out = new ArrayList<>(applying.length);
    for (int i = 0; i < applying.length; i++) {
      Charge c = applying[i].charge(info, config.keyPrefix(), selection.costs()[i]);
      if (c != null) {
        out.add(c);
      }
    }
    return out;
  }

  private Selection selection(RequestInfo info, Stage stage) {
    if ("unmatched".equals(info.route())) {
      return Selection.BY_PATH;
    }
    SelectionKey key = new SelectionKey(stage, info.method(), info.route(), info.plan());
    Selection known = selections.get(key);
    if (known != null) {
      return known;
    }
    Selection made = select(key);
    if (selections.size() < MAX_SELECTIONS) {
      selections.putIfAbsent(key, made);
    }
    return made;
  }

  private Selection select(SelectionKey key) {
    List<Policy> applying = new ArrayList<>();
    List<Integer> costs = new ArrayList<>();
    for (Policy p : policies) {
      if (!key.stage().includes(p)) {
        continue;
      }
      Boolean applies = p.appliesToEvery(key.method(), key.route(), key.plan());
      if (applies == null) {
        return Selection.BY_PATH;
      }
      if (applies) {
        int cost = p.costOfEvery(key.method(), key.route());
        if (cost < 0) {
          return Selection.BY_PATH;
        }
        applying.add(p);
        costs.add(cost);
      }
    }
    return new Selection(applying.toArray(Policy[]::new), costs.stream().mapToInt(Integer::intValue).toArray());
  }

  private List<Charge> chargesByPath(RequestInfo info, Stage stage) {
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
