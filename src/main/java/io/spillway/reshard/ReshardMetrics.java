package io.spillway.reshard;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A node's view of the moves it runs: {@code spillway_reshard_rows_copied_total}, {@code
 * spillway_reshard_changes_replayed_total}, {@code spillway_reshard_change_backlog} (change-log entries the
 * running move has still to replay: its lag), {@code spillway_reshard_fence_seconds}, {@code
 * spillway_reshard_fence_timeouts_total} and {@code spillway_reshard_moves_total{outcome}}. A null registry
 * records nothing.
 */
final class ReshardMetrics {
  private final MeterRegistry registry;
  private final Counter copied;
  private final Counter replayed;
  private final Counter fenceTimeouts;
  private final Timer fence;
  private final AtomicLong backlog = new AtomicLong();

  ReshardMetrics(MeterRegistry registry) {
    this.registry = registry;
    if (registry == null) {
      copied = replayed = fenceTimeouts = null;
      fence = null;
      return;
    }
    copied = Counter.builder("spillway_reshard_rows_copied_total")
        .description("Rows a shard move copied to its target database").register(registry);
    replayed = Counter.builder("spillway_reshard_changes_replayed_total")
        .description("Captured changes a shard move replayed at its target database").register(registry);
    fenceTimeouts = Counter.builder("spillway_reshard_fence_timeouts_total")
        .description("Cut-overs given up because they would have held the write fence too long").register(registry);
    fence = Timer.builder("spillway_reshard_fence")
        .description("How long a cut-over held its logical shard's write fence").register(registry);
    Gauge.builder("spillway_reshard_change_backlog", backlog, AtomicLong::get)
        .description("Captured changes the running shard move has not replayed yet").register(registry);
  }

  void copied(long rows) {
    if (copied != null) {
      copied.increment(rows);
    }
  }

  void replayed(long changes) {
    if (replayed != null) {
      replayed.increment(changes);
    }
  }

  void backlog(long changes) {
    backlog.set(changes);
  }

  void fenceTimeout() {
    if (fenceTimeouts != null) {
      fenceTimeouts.increment();
    }
  }

  void fence(long ms) {
    if (fence != null) {
      fence.record(ms, TimeUnit.MILLISECONDS);
    }
  }

  void ended(String outcome) {
    backlog.set(0);
    if (registry != null) {
      Counter.builder("spillway_reshard_moves_total").description("Shard moves that ended, by outcome")
          .tag("outcome", outcome).register(registry).increment();
    }
  }
}
