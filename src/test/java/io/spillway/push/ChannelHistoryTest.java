package io.spillway.push;

import io.spillway.testkit.SpillwayApp;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A resume that finds nothing after {@code since} goes live from {@code since}, even when another node
 * appends an event between the range read and the look at the newest entry (seen under load on a
 * three-node cluster: that event was neither replayed nor delivered live).
 */
class ChannelHistoryTest {
  private static final Vertx VERTX = Vertx.vertx();
  private static final Redis REDIS = Redis.createClient(VERTX,
      "redis://" + SpillwayApp.REDIS_HOST + ":" + SpillwayApp.REDIS_PORT + "/12");

  @AfterAll
  static void close() {
    REDIS.close();
    VERTX.close().await();
  }

  @Test
  void anEventAppendedWhileAnEmptyResumeIsReadIsStillAheadOfIt() {
    String channel = "posts:" + UUID.randomUUID();
    ChannelHistory writer = new ChannelHistory(REDIS::send, 1000, 60);
    writer.append(channel, 10, "{\"n\":10}").await();
    AtomicBoolean raced = new AtomicBoolean();
    // Another node's append lands right after this node read the (empty) range after offset 10.
    Function<Request, Future<Response>> racing = request -> REDIS.send(request).compose(response ->
        request.command() == Command.XRANGE && raced.compareAndSet(false, true)
            ? writer.append(channel, 12, "{\"n\":12}").map(response) : Future.succeededFuture(response));

    ChannelHistory.Replay replay = new ChannelHistory(racing, 1000, 60).after(channel, 10).await();

    assertTrue(raced.get());
    assertFalse(replay.reset());
    assertTrue(replay.entries().isEmpty());
    assertEquals(10, replay.latest(), "live from since: offset 12 is still to be delivered, not counted as replayed");
    REDIS.send(Request.cmd(Command.DEL).arg(ChannelHistory.key(channel))).await();
  }
}
