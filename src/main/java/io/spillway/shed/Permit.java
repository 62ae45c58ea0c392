package io.spillway.shed;

import io.spillway.config.Priority;
import io.vertx.core.Future;
import io.vertx.core.Promise;

import java.util.concurrent.CancellationException;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;
import java.util.concurrent.atomic.AtomicReferenceFieldUpdater;

/**
 * One request's place at the door: admitted at once, refused at once, or waiting in the queue. Whatever
 * happens, {@link #release()} or {@link #abandon()} frees what it holds exactly once, however often and from
 * whichever end handler they are called.
 */
public final class Permit {
  static final int WAITING = 0;
  static final int ADMITTED = 1;
  static final int REJECTED = 2;
  static final int DONE = 3;

  private static final AtomicIntegerFieldUpdater<Permit> STATE =
      AtomicIntegerFieldUpdater.newUpdater(Permit.class, "state");
  private static final AtomicReferenceFieldUpdater<Permit, String> CLIENT =
      AtomicReferenceFieldUpdater.newUpdater(Permit.class, String.class, "client");

  private final LoadShedder shedder;
  private final Priority priority;
  private volatile int state;
  /** The client whose in-flight count this request holds, or null; given back on the terminal transition. */
  private volatile String client;
  private long admittedAt;
  private long queuedAt;
  private int inflightAtAdmission;
  private Future<Void> admitted;
  // Only for a waiting request: its outcome, and where to wake it.
  private Promise<Void> promise;
  private Executor wake;

  Permit(LoadShedder shedder, Priority priority, String client) {
    this.shedder = shedder;
    this.priority = priority;
    this.client = client;
  }

  public Priority priority() {
    return priority;
  }

  /** Succeeds when the request may go on; fails with a {@link Rejection} when it was refused. */
  public Future<Void> admitted() {
    return admitted;
  }

  /** The request finished: frees its slot and feeds its latency to the limit. */
  public void release() {
    finish(true);
  }

  /**
   * The request went away (connection closed, reset): frees its slot or its place in the queue without a latency
   * sample, since a request cut short says nothing about how fast the node serves.
   */
  public void abandon() {
    finish(false);
  }

  // --- transitions, driven by LoadShedder ---

  void admitNow(long now, int inflight) {
    admittedAt = now;
    inflightAtAdmission = inflight;
    state = ADMITTED;
    admitted = Future.succeededFuture();
  }

  void rejectNow(Rejection rejection) {
    state = REJECTED;
    giveBackClient();
    admitted = Future.failedFuture(rejection);
  }

  void await(Executor wake) {
    this.wake = wake;
    this.promise = Promise.promise();
    this.admitted = promise.future();
  }

  /** Called under the queue lock by whoever hands this waiter a slot; false when it is no longer waiting. */
  boolean grant(long now, int inflight) {
    admittedAt = now;
    inflightAtAdmission = inflight;
    return STATE.compareAndSet(this, WAITING, ADMITTED);
  }

  /** Wakes a granted waiter on its own event loop. */
  void wakeAdmitted() {
    wake.execute(() -> promise.tryComplete());
  }

  /** Refuses a waiter (timed out, or pushed out of a full queue); false when it was no longer waiting. */
  boolean rejectWaiting(Rejection rejection) {
    if (!STATE.compareAndSet(this, WAITING, REJECTED)) {
      return false;
    }
    giveBackClient();
    wake.execute(() -> promise.tryFail(rejection));
    return true;
  }

  boolean isWaiting() {
    return state == WAITING;
  }

  int state() {
    return state;
  }

  /** Counts this request against {@code key}'s in-flight cap; false when the client is over it. */
  boolean attachClient(String key) {
    ClientConcurrency clients = shedder.clients();
    if (clients == null || client != null || state != ADMITTED) {
      return true;
    }
    if (!clients.tryAcquire(key)) {
      return false;
    }
    client = key;
    // The request may have finished between the check and the assignment on another thread: give it back.
    if (state == DONE) {
      giveBackClient();
    }
    return true;
  }

  private void finish(boolean sample) {
    for (;;) {
      int s = state;
      if (s == ADMITTED) {
        if (STATE.compareAndSet(this, ADMITTED, DONE)) {
          giveBackClient();
          shedder.released(this, sample);
          return;
        }
      } else if (s == WAITING) {
        if (STATE.compareAndSet(this, WAITING, DONE)) {
          giveBackClient();
          shedder.leftQueue(this);
          wake.execute(() -> promise.tryFail(new CancellationException("the request went away while queued")));
          return;
        }
      } else {
        if (s == REJECTED) {
          STATE.compareAndSet(this, REJECTED, DONE);
        }
        return;
      }
    }
  }

  private void giveBackClient() {
    String c = CLIENT.getAndSet(this, null);
    if (c != null) {
      shedder.clients().release(c);
    }
  }

  void queuedAt(long now) {
    queuedAt = now;
  }

  long queuedAt() {
    return queuedAt;
  }

  long admittedAt() {
    return admittedAt;
  }

  int inflightAtAdmission() {
    return inflightAtAdmission;
  }
}
