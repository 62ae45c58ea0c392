package io.spillway.observe;

import org.junit.jupiter.api.Test;

import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** One line per key and period, and the next line says how many were left out. */
class ThrottledLogTest {
  @Test
  void logsTheFirstOfAPeriodAndCountsTheRest() {
    AtomicLong now = new AtomicLong(1_000);
    ThrottledLog log = new ThrottledLog(10_000, now::get);
    assertEquals(0, log.admit("poll"), "the first failure is logged");
    assertEquals(-1, log.admit("poll"));
    now.addAndGet(9_999);
    assertEquals(-1, log.admit("poll"), "still within the period");
    assertEquals(0, log.admit("other"), "another key has a period of its own");
    now.addAndGet(1);
    assertEquals(2, log.admit("poll"), "the next line carries the two left out");
    assertEquals(" (2 more like this since the last line)", ThrottledLog.suffix(2));
    assertEquals("", ThrottledLog.suffix(0));
  }
}
