package io.spillway.observe;

import ch.qos.logback.classic.AsyncAppender;
import ch.qos.logback.classic.spi.ILoggingEvent;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * Logback's {@link AsyncAppender}, counting what it drops. With {@code neverBlock} a logging thread (an event
 * loop) never waits for the queue: an event that finds it full is dropped, and below the discarding threshold
 * INFO and lower are dropped first. Those drops are otherwise silent; here they are counted per appender and
 * exported as {@code spillway_log_events_dropped_total{appender}}.
 */
public final class CountingAsyncAppender extends AsyncAppender {
  private static final Map<String, LongAdder> DROPPED = new ConcurrentHashMap<>();

  private LongAdder dropped = new LongAdder();

  @Override
  public void start() {
    dropped = DROPPED.computeIfAbsent(getName(), n -> new LongAdder());
    super.start();
  }

  @Override
  protected void append(ILoggingEvent event) {
    // Read before the offer: a race with another thread filling the last slots can go uncounted, never
    // counted twice.
    if (isNeverBlock() && getRemainingCapacity() == 0) {
      dropped.increment();
      return;
    }
    super.append(event);
  }

  /** Asked only while the queue is below the discarding threshold: true means the event is dropped. */
  @Override
  protected boolean isDiscardable(ILoggingEvent event) {
    boolean discard = super.isDiscardable(event);
    if (discard) {
      dropped.increment();
    }
    return discard;
  }

  /** Exports the drop count of every counting appender of this JVM into {@code registry}. */
  public static void bind(MeterRegistry registry) {
    DROPPED.forEach((appender, count) -> FunctionCounter.builder("spillway.log.events.dropped", count, LongAdder::sum)
        .description("log events dropped because the asynchronous appender's queue was (nearly) full")
        .tag("appender", appender)
        .register(registry));
  }
}
