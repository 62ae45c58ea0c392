package io.spillway.limit;

import io.spillway.config.RateLimitPolicy.Period;
import io.spillway.redis.LuaScript;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

import static io.spillway.limit.LimitTesting.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** The quota's UTC period math, in Java (the fallback) and in Lua (the script), which must agree. */
class QuotaPeriodTest {
  private static Vertx vertx;
  private static Redis redis;
  private static String boundsScript;

  @BeforeAll
  static void start() {
    vertx = Vertx.vertx();
    redis = LimitTesting.flushedRedis(vertx);
    boundsScript = LuaScript.ofResources(List.of("prelude", "quota")).body()
        + "\nlocal s, e = period_bounds(tonumber(ARGV[1]), ARGV[2])\nreturn {s, e}\n";
  }

  @AfterAll
  static void stop() {
    await(vertx.close());
  }

  private static long epoch(String instant) {
    return Instant.parse(instant).getEpochSecond();
  }

  @Test
  void dayEndsAtTheNextUtcMidnight() {
    assertEquals(epoch("2024-03-10T00:00:00Z"), QuotaPeriod.start(epoch("2024-03-10T23:59:59Z"), Period.DAY));
    assertEquals(epoch("2024-03-11T00:00:00Z"), QuotaPeriod.end(epoch("2024-03-10T23:59:59Z"), Period.DAY));
    assertEquals(epoch("2024-03-12T00:00:00Z"), QuotaPeriod.end(epoch("2024-03-11T00:00:00Z"), Period.DAY));
  }

  @Test
  void monthEndsOnTheFirstOfTheNextMonth() {
    assertEquals(epoch("2024-03-01T00:00:00Z"), QuotaPeriod.end(epoch("2024-02-29T12:00:00Z"), Period.MONTH));
    assertEquals(epoch("2023-03-01T00:00:00Z"), QuotaPeriod.end(epoch("2023-02-28T23:59:59Z"), Period.MONTH));
    assertEquals(epoch("2025-01-01T00:00:00Z"), QuotaPeriod.end(epoch("2024-12-31T23:59:59Z"), Period.MONTH));
    assertEquals(epoch("2024-12-01T00:00:00Z"), QuotaPeriod.start(epoch("2024-12-31T23:59:59Z"), Period.MONTH));
    assertEquals(epoch("2100-03-01T00:00:00Z"), QuotaPeriod.end(epoch("2100-02-28T00:00:00Z"), Period.MONTH));
    assertEquals(epoch("2000-03-01T00:00:00Z"), QuotaPeriod.end(epoch("2000-02-29T00:00:00Z"), Period.MONTH));
  }

  @Test
  void luaAgreesWithJava() {
    List<Long> seconds = new ArrayList<>(List.of(0L, 86_399L, 86_400L, epoch("2024-02-29T23:59:59Z"),
        epoch("2024-03-01T00:00:00Z"), epoch("2023-12-31T23:59:59Z"), epoch("2100-02-28T10:00:00Z"),
        epoch("2038-01-19T03:14:08Z")));
    for (int i = 0; i < 300; i++) {
      seconds.add(ThreadLocalRandom.current().nextLong(0, epoch("2200-01-01T00:00:00Z")));
    }
    for (long s : seconds) {
      for (Period period : Period.values()) {
        Response r = await(redis.send(Request.cmd(Command.EVAL).arg(boundsScript).arg(0).arg(s)
            .arg(period.configName())));
        String at = period + " at " + Instant.ofEpochSecond(s);
        assertEquals(QuotaPeriod.start(s, period), r.get(0).toLong(), at);
        assertEquals(QuotaPeriod.end(s, period), r.get(1).toLong(), at);
      }
    }
  }
}
