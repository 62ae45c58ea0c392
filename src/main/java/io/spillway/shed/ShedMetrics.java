package io.spillway.shed;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.spillway.config.Priority;

/**
 * The shedder's meters; without a registry every call is a no-op. Labels are bounded: three priorities and
 * four reasons, all counters registered up front so a scrape shows zeros instead of missing series.
 */
final class ShedMetrics {
  private final Counter[][] rejected;

  ShedMetrics(MeterRegistry registry, LoadShedder shedder) {
    if (registry == null) {
      rejected = null;
      return;
    }
    Gauge.builder("spillway.shed.limit", shedder, LoadShedder::limit)
        .description("Concurrency limit of this node: requests it may have in flight")
        .register(registry);
    Gauge.builder("spillway.shed.inflight", shedder, LoadShedder::inflight)
        .description("Requests in flight on this node")
        .register(registry);
    Gauge.builder("spillway.shed.queue.length", shedder, LoadShedder::queueLength)
        .description("Requests waiting for a slot")
        .register(registry);
    Gauge.builder("spillway.eventloop.lag", shedder, LoadShedder::eventLoopLagSeconds)
        .description("Latest timer drift of the most delayed watched event loop")
        .baseUnit("seconds")
        .register(registry);
    Priority[] priorities = Priority.values();
    Rejection.Reason[] reasons = Rejection.Reason.values();
    rejected = new Counter[priorities.length][reasons.length];
    for (Priority p : priorities) {
      for (Rejection.Reason r : reasons) {
        rejected[p.ordinal()][r.ordinal()] = Counter.builder("spillway.shed.rejected")
            .description("Requests refused by load shedding")
            .tag("priority", p.label())
            .tag("reason", r.label())
            .register(registry);
      }
    }
  }

  void rejected(Priority priority, Rejection.Reason reason) {
    if (rejected != null) {
      rejected[priority.ordinal()][reason.ordinal()].increment();
    }
  }
}
