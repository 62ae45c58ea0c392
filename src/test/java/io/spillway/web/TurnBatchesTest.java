package io.spillway.web;

import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.internal.ContextInternal;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

class TurnBatchesTest {
  private static Vertx vertx;

  @BeforeAll
  static void start() {
    vertx = Vertx.vertx();
  }

  @AfterAll
  static void stop() {
    vertx.close().await();
  }

  @Test
  void whatOneTurnAddsIsSentTogetherAndFullBatchesAtOnce() {
    List<List<Integer>> sent = new CopyOnWriteArrayList<>();
    TurnBatches<Integer> batches = new TurnBatches<>(4, sent::add);
    Promise<Void> done = Promise.promise();
    vertx.runOnContext(v -> {
      for (int i = 1; i <= 6; i++) {
        batches.add(i);
      }
      vertx.runOnContext(after -> done.complete());
    });
    done.future().await();
    assertEquals(List.of(List.of(1, 2, 3, 4), List.of(5, 6)), sent);
  }

  @Test
  void aBatchIsSentOutsideTheContextOfTheRequestsThatFilledIt() {
    List<Boolean> sentFromARequest = new CopyOnWriteArrayList<>();
    TurnBatches<String> batches = new TurnBatches<>(2, batch -> {
      ContextInternal ctx = ContextInternal.current();
      sentFromARequest.add(ctx.isDuplicate() || ctx.getLocal("request") != null);
    });
    Promise<Void> done = Promise.promise();
    ContextInternal loop = (ContextInternal) vertx.getOrCreateContext();
    loop.runOnContext(v -> {
      // Each request runs on a context of its own (a duplicate of the event loop's), as an HTTP request does.
      List<ContextInternal> requests = new ArrayList<>();
      for (int i = 0; i < 3; i++) {
        ContextInternal request = loop.duplicate();
        request.putLocal("request", "r" + i);
        requests.add(request);
      }
      for (ContextInternal request : requests) {
        request.dispatch(() -> batches.add((String) request.getLocal("request")));
      }
      loop.runOnContext(after -> done.complete());
    });
    done.future().await();
    assertEquals(2, sentFromARequest.size(), "one full batch at once, the rest after the turn");
    assertFalse(sentFromARequest.contains(true), "no batch ran with a request's context");
  }
}
