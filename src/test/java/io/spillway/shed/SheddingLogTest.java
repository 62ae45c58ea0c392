package io.spillway.shed;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SheddingLogTest {
  private static final long MS = 1_000_000;
  private final List<String> lines = new ArrayList<>();
  private boolean busy;
  private final SheddingLog log = new SheddingLog(lines::add, lines::add, () -> "limit=10", () -> busy);

  @Test
  void startAndStopAreEachWrittenOnce() {
    long t = 0;
    for (int i = 0; i < 1000; i++) {
      log.rejected(t += MS);
    }
    assertEquals(1, lines.size());
    assertTrue(lines.get(0).startsWith("load shedding started: limit=10"), lines.get(0));

    t += SheddingLog.MIN_GAP_NANOS;
    log.check(t);
    assertEquals(2, lines.size());
    assertTrue(lines.get(1).startsWith("load shedding stopped"), lines.get(1));
    assertTrue(lines.get(1).contains("999 rejected"), lines.get(1));

    log.check(t + SheddingLog.MIN_GAP_NANOS * 5);
    assertEquals(2, lines.size(), "nothing changed: nothing to say");
  }

  @Test
  void atMostOneLinePerTenSecondsWhileItFlaps() {
    long t = 0;
    for (int i = 0; i < 50; i++) {
      log.rejected(t);
      t += SheddingLog.QUIET_NANOS;
      log.check(t);
      t += 100 * MS;
    }
    // 50 starts and stops over about 55 seconds: one line at the start, then at most one per 10 s.
    assertTrue(lines.size() <= 1 + 55 / 10, lines.size() + " lines: " + lines);
  }

  @Test
  void aStopInsideTheGapIsWrittenOnceTheGapHasPassed() {
    log.rejected(0);
    log.check(2 * SheddingLog.QUIET_NANOS);
    assertEquals(1, lines.size(), "stopped 2 s after starting: inside the 10 s gap");
    log.check(SheddingLog.MIN_GAP_NANOS);
    assertEquals(2, lines.size());
    assertTrue(lines.get(1).startsWith("load shedding stopped"));
  }

  @Test
  void itIsNotReportedStoppedWhileRequestsStillQueueOrTheLoopsLag() {
    log.rejected(0);
    assertEquals(1, lines.size());
    busy = true;
    log.check(SheddingLog.MIN_GAP_NANOS * 2);
    assertEquals(1, lines.size(), "no refusal for a while, but requests still wait: not stopped");
    busy = false;
    log.check(SheddingLog.MIN_GAP_NANOS * 3);
    assertEquals(2, lines.size());
    assertTrue(lines.get(1).startsWith("load shedding stopped"));
  }
}
