package io.spillway.config;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The real-time keys: defaults, environment overrides, and values that must stop the start. */
class StreamConfigTest {
  private static final Path DEV = Path.of("conf", "config.json");

  @Test
  void defaultsAreTheDocumentedOnes() {
    StreamConfig s = AppConfig.load(DEV, Map.of()).stream();
    assertEquals(1000, s.historyMaxEvents());
    assertEquals(86_400, s.historyMaxAgeSeconds());
    assertEquals(100, s.maxSubscriptions());
    assertEquals(65_536, s.maxFrameBytes());
    assertEquals(50, s.maxInboundPerSecond());
    assertEquals(60, s.idleTimeoutSeconds());
    assertEquals(20, s.pingIntervalSeconds());
    assertEquals(1 << 20, s.maxOutboundBytes());
    assertEquals(1000, s.outboxPollMs());
    assertEquals(500, s.outboxBatchSize());
  }

  @Test
  void nestedKeysHaveEnvironmentOverrides() {
    StreamConfig s = AppConfig.load(DEV, Map.of(
        "SPILLWAY_STREAM_HISTORY_MAX_EVENTS", "50",
        "SPILLWAY_STREAM_MAX_OUTBOUND_BYTES", "65536",
        "SPILLWAY_OUTBOX_BATCH_SIZE", "100")).stream();
    assertEquals(50, s.historyMaxEvents());
    assertEquals(65_536, s.maxOutboundBytes());
    assertEquals(100, s.outboxBatchSize());
  }

  @Test
  void badValuesNameTheKey() {
    ConfigException tooSmall = assertThrows(ConfigException.class, () -> AppConfig.load(DEV,
        Map.of("SPILLWAY_STREAM_MAX_OUTBOUND_BYTES", "10")));
    assertTrue(tooSmall.getMessage().startsWith("stream.maxOutboundBytes: 10 is out of range"), tooSmall.getMessage());
    ConfigException pingTooSlow = assertThrows(ConfigException.class, () -> AppConfig.load(DEV, Map.of(
        "SPILLWAY_STREAM_PING_INTERVAL_SECONDS", "60", "SPILLWAY_STREAM_IDLE_TIMEOUT_SECONDS", "30")));
    assertTrue(pingTooSlow.getMessage().startsWith("stream.pingIntervalSeconds: 60 must be below"),
        pingTooSlow.getMessage());
  }
}
