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
  void whileABatchIsUnansweredTheNextTurnsGatherIntoOneBatchSentWhenItAnswers() {
    List<List<Integer>> sent = new CopyOnWriteArrayList<>();
    List<Promise<Void>> answers = new CopyOnWriteArrayList<>();
    TurnBatches<Integer> batches = TurnBatches.inFlight(4, 1, batch -> {
      sent.add(batch);
      Promise<Void> answer = Promise.promise();
      answers.add(answer);
      return answer.future();
    });
    ContextInternal loop = (ContextInternal) vertx.getOrCreateContext();
    onLoop(loop, () -> batches.add(1));
    assertEquals(List.of(List.of(1)), sent, "nothing in flight: the batch leaves at the end of its turn");
    onLoop(loop, () -> batches.add(2));
    onLoop(loop, () -> batches.add(3));
    assertEquals(1, sent.size(), "turns that end while a batch is unanswered keep their items");
    onLoop(loop, () -> {
      for (int i = 4; i <= 7; i++) {
        batches.add(i);
      }
    });
    assertEquals(List.of(List.of(1), List.of(2, 3, 4, 5)), sent, "a full batch leaves at once, in flight or not");
    onLoop(loop, () -> answers.get(0).complete());
    onLoop(loop, () -> { });
    assertEquals(List.of(List.of(1), List.of(2, 3, 4, 5)), sent, "two still unanswered is above the bound");
    onLoop(loop, () -> answers.get(1).complete());
    onLoop(loop, () -> { });
    assertEquals(List.of(List.of(1), List.of(2, 3, 4, 5), List.of(6, 7)), sent,
        "what waited leaves once the loop is below its bound");
  }

  /** Runs {@code action} on {@code loop} and returns after the turns it set off have run. */
  private static void onLoop(ContextInternal loop, Runnable action) {
    Promise<Void> done = Promise.promise();
    loop.runOnContext(v -> {
      action.run();
      loop.runOnContext(after -> loop.runOnContext(last -> done.complete()));
    });
    done.future().await();
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
