package io.spillway.observe;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.util.LogbackMDCAdapter;
import ch.qos.logback.core.AppenderBase;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A logging thread never waits for a stuck output; what cannot be queued is dropped and counted. */
class CountingAsyncAppenderTest {
  @Test
  void eventsThatFindTheQueueFullAreDroppedAndCounted() throws Exception {
    LoggerContext context = new LoggerContext();
    context.setMDCAdapter(new LogbackMDCAdapter());
    CountDownLatch stuck = new CountDownLatch(1);
    AtomicInteger written = new AtomicInteger();
    AppenderBase<ILoggingEvent> slowOutput = new AppenderBase<>() {
      @Override
      protected void append(ILoggingEvent event) {
        try {
          stuck.await();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
        written.incrementAndGet();
      }
    };
    slowOutput.setContext(context);
    slowOutput.start();
    CountingAsyncAppender async = new CountingAsyncAppender();
    async.setContext(context);
    async.setName("counting-test");
    async.setQueueSize(4);
    async.setDiscardingThreshold(0);
    async.setNeverBlock(true);
    async.addAppender(slowOutput);
    async.start();
    Logger logger = context.getLogger("test");
    logger.setLevel(Level.INFO);
    logger.addAppender(async);

    for (int i = 0; i < 100; i++) {
      logger.warn("line {}", i);
    }
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    CountingAsyncAppender.bind(registry);
    double dropped = registry.get("spillway.log.events.dropped").tag("appender", "counting-test").functionCounter().count();
    // The output thread holds at most one event plus one queue's worth (it takes one event, then drains the
    // queue, which the logging thread may have refilled in between), the queue four more: the rest could
    // only be dropped.
    assertTrue(dropped >= 100 - (1 + 2 * 4) && dropped <= 100 - 4, "dropped " + dropped);

    stuck.countDown();
    async.stop();
    assertEquals(100, written.get() + (int) dropped, "every event was either written or counted as dropped");
  }
}
