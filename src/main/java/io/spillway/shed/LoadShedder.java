package io.spillway.shed;

import io.micrometer.core.instrument.MeterRegistry;
import io.spillway.config.Priority;
import io.spillway.config.ShedConfig;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.shareddata.LocalMap;
import io.vertx.core.shareddata.Shareable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayDeque;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongSupplier;

/**
 * Admission control for one node: one instance per Vertx, shared by every HttpVerticle on every event loop.
 *
 * <p>Rules, with {@code limit} from the adaptive {@link ConcurrencyLimit} and {@code reserve = criticalReserve *
 * limit}: under {@code limit - reserve} in flight everything is admitted. Above it {@link Priority#SHEDDABLE}
 * is refused at once, {@link Priority#NORMAL} waits in a bounded FIFO queue for at most {@code maxQueueMs}, and
 * {@link Priority#CRITICAL} is admitted up to the full {@code limit}, then waits ahead of every normal request.
 * While an event loop lags past {@code eventLoopLagMs} the node counts as full for all but critical requests,
 * and those are refused at once rather than queued: a queue's timeout runs on the lagging loops and could
 * not keep {@code maxQueueMs}. A waiter found past {@code maxQueueMs} when a slot frees is refused, not let in.
 *
 * <p>Queue timeouts: one timer per node at a time, not one per waiter. It is set for the oldest waiter's
 * deadline, refuses every waiter then past {@code maxQueueMs}, and is set again for the next oldest, if any.
 * The queue is FIFO per priority with one wait bound, so the oldest waiter always expires first; a timer per
 * waiter cost a timer set and a timer cancel on every queued request, which at a steady queue was a
 * noticeable share of the node's CPU.
 *
 * <p>Warm-up: for {@code warmupMs} after start an adaptive limit admits up to {@code maxLimit} and the lag
 * signal is ignored. A node that just joined runs cold (JIT, empty caches and pools): its first latencies
 * would drive the learned limit down and shed a load the node can carry a few seconds later. The algorithm
 * learns from those requests all the same, so the limit is warm when the period ends.
 *
 * <p>Thread safety without blocking an event loop: the in-flight count is a CAS loop, so admission under the
 * limit takes no lock; the queue sits behind one monitor held for a few field updates, never across I/O or a
 * callback; waiters are woken on their own context with {@code runOnContext}; the limit algorithm is fed
 * through a try-lock, so a sample that would have to wait is dropped instead (one sample more or less does not
 * move a windowed average).
 */
public final class LoadShedder implements Shareable {
  private static final Logger LOG = LoggerFactory.getLogger(LoadShedder.class);
  private static final String SHARED_MAP = "spillway.shed";
  private static final Executor DIRECT = Runnable::run;

  private final ShedConfig config;
  private final ConcurrencyLimit algorithm;
  private final LongSupplier clock;
  private final Timeouts timeouts;
  private final Vertx vertx;
  private final ClientConcurrency clients;
  private final ShedMetrics metrics;
  private final SheddingLog sheddingLog;
  private final boolean queueing;
  private final long lagThresholdNanos;
  private final long lagProbeMs;
  private final long lagStaleNanos;
  private final boolean warms;
  private final long warmUntil;
  private final long maxQueueNanos;

  private final AtomicInteger inflight = new AtomicInteger();
  private final AtomicBoolean sampling = new AtomicBoolean();
  /** Whether the queue's one timeout timer is set. */
  private final AtomicBoolean sweepSet = new AtomicBoolean();
  private volatile int limit;

  private final Object queueLock = new Object();
  private final ArrayDeque<Permit> criticalQueue = new ArrayDeque<>();
  private final ArrayDeque<Permit> normalQueue = new ArrayDeque<>();
  // Written under queueLock, read without it for the fast path and the gauge.
  private volatile int queuedCritical;
  private volatile int queuedNormal;

  private final Map<Object, EventLoopLag> probes = new ConcurrentHashMap<>();
  private volatile long lagNanos;
  private volatile long lagComputedAt;
  private volatile boolean closed;

  LoadShedder(Vertx vertx, ShedConfig config, ConcurrencyLimit algorithm, LongSupplier clock, Timeouts timeouts,
      MeterRegistry registry) {
    this.vertx = vertx;
    this.config = config;
    this.algorithm = algorithm;
    this.clock = clock;
    this.timeouts = timeouts;
    this.limit = algorithm.limit();
    this.clients = config.perClient().enabled()
        ? new ClientConcurrency(config.perClient().maxInFlight(), config.perClient().maxInFlightPerAddress()) : null;
    this.queueing = config.maxQueueMs() > 0 && config.maxQueueLength() > 0;
    this.lagThresholdNanos = TimeUnit.MILLISECONDS.toNanos(config.eventLoopLagMs());
    // Probe often enough to see a lag of the threshold's size within about one threshold, but no more than
    // ten times a second per loop: the probe itself must stay free.
    this.lagProbeMs = Math.max(10, Math.min(100, config.eventLoopLagMs() / 2));
    this.lagStaleNanos = TimeUnit.MILLISECONDS.toNanos(3 * lagProbeMs);
    this.lagComputedAt = clock.getAsLong();
    this.warms = config.algorithm() != ShedConfig.Algorithm.FIXED && config.warmupMs() > 0;
    this.warmUntil = clock.getAsLong() + TimeUnit.MILLISECONDS.toNanos(config.warmupMs());
    this.maxQueueNanos = TimeUnit.MILLISECONDS.toNanos(config.maxQueueMs());
    this.sheddingLog = new SheddingLog(LOG::warn, LOG::info, this::describe,
        () -> queueLength() > 0 || lagging(clock.getAsLong()));
    this.metrics = new ShedMetrics(registry, this);
  }

  /** A shedder for {@code vertx}, on the wall clock, with queue timeouts on Vert.x timers; {@code registry} may be null. */
  public static LoadShedder create(Vertx vertx, ShedConfig config, MeterRegistry registry) {
    Timeouts timers = (delayMs, task) -> vertx.setTimer(delayMs, t -> task.run());
    return new LoadShedder(vertx, config, ConcurrencyLimit.from(config), System::nanoTime, timers, registry);
  }

  /**
   * The node's one shedder: created by the first caller, returned to every other (each HttpVerticle instance
   * may call this from its own start). Kept in the Vertx instance's local shared data, so two Vertx instances in
   * one JVM (tests) never share one.
   */
  public static LoadShedder shared(Vertx vertx, ShedConfig config, MeterRegistry registry) {
    LocalMap<String, LoadShedder> map = vertx.sharedData().getLocalMap(SHARED_MAP);
    return map.computeIfAbsent("node", k -> create(vertx, config, registry));
  }

  /** Admits, queues or refuses a request of {@code priority}; see the class comment for the rules. */
  public Permit admit(Priority priority) {
    return admit(priority, null);
  }

  /**
   * As {@link #admit(Priority)}, counting the request against {@code client}'s in-flight cap first (when
   * {@code shed.perClient} is enabled and {@code client} is not null). Call it on the request's event loop:
   * a queued request is woken there.
   */
  public Permit admit(Priority priority, String client) {
    long now = clock.getAsLong();
    boolean counted = client != null && clients != null;
    if (counted && !clients.tryAcquire(client)) {
      return rejected(new Permit(this, priority, null), Rejection.Reason.CLIENT_LIMIT, now);
    }
    Permit permit = new Permit(this, priority, counted ? client : null);
    if (!config.enabled()) {
      permit.admitNow(now, inflight.incrementAndGet());
      return permit;
    }
    boolean nobodyAhead = priority == Priority.CRITICAL ? queuedCritical == 0 : queuedCritical + queuedNormal == 0;
    if (nobodyAhead) {
      int n = tryAcquire(capacity(priority, now));
      if (n > 0) {
        permit.admitNow(now, n);
        return permit;
      }
    }
    if (priority == Priority.SHEDDABLE || !queueing || priority == Priority.NORMAL && lagging(now)) {
      return rejected(permit, Rejection.Reason.LIMIT, now);
    }
    return enqueue(permit, now);
  }

  public ShedConfig config() {
    return config;
  }

  /** The concurrency limit now. */
  public int limit() {
    return limit;
  }

  /** Requests admitted and not yet finished. */
  public int inflight() {
    return inflight.get();
  }

  /** Requests waiting for a slot. */
  public int queueLength() {
    return queuedCritical + queuedNormal;
  }

  /** The latest timer drift of the most delayed watched event loop, in seconds. */
  public double eventLoopLagSeconds() {
    return lagNanos / 1e9;
  }

  /** Whether the event loops lag past {@code shed.eventLoopLagMs}, so the node counts as full. */
  public boolean lagging() {
    return lagging(clock.getAsLong());
  }

  /** Stops the lag probes. Requests in flight still release normally. */
  public void close() {
    closed = true;
    probes.values().forEach(EventLoopLag::stop);
    probes.clear();
    if (vertx != null) {
      LocalMap<String, LoadShedder> map = vertx.sharedData().getLocalMap(SHARED_MAP);
      map.remove("node", this);
    }
  }

  /**
   * Measures the lag of {@code context}'s event loop (a new context's, when null) with a chain of timers; once
   * per context. Does nothing without Vert.x or with {@code eventLoopLagMs} 0.
   */
  void watch(Context context) {
    if (vertx == null || lagThresholdNanos == 0 || closed) {
      return;
    }
    Context target = context != null ? context : vertx.getOrCreateContext();
    EventLoopLag probe = new EventLoopLag(lagProbeMs, clock, this::lagMeasured);
    if (probes.putIfAbsent(target, probe) == null) {
      target.runOnContext(v -> probe.start(vertx));
    }
  }

  /** Adds a probe fed by hand (tests). */
  EventLoopLag probe(Object key) {
    EventLoopLag probe = new EventLoopLag(lagProbeMs, clock, this::lagMeasured);
    probes.put(key, probe);
    return probe;
  }

  ClientConcurrency clients() {
    return clients;
  }

  // --- admission internals ---

  private int capacity(Priority priority, long now) {
    boolean warming = warms && now - warmUntil < 0;
    int lim = warming ? Math.max(limit, config.maxLimit()) : limit;
    if (priority == Priority.CRITICAL) {
      return lim;
    }
    if (!warming && lagging(now)) {
      return 0;
    }
    return lim - reserve(lim);
  }

  /** Whether the node is still in its warm-up period (an adaptive limit only). */
  public boolean warmingUp() {
    return warms && clock.getAsLong() - warmUntil < 0;
  }

  /**
   * The slots only critical requests may take. A configured reserve holds back at least one slot, so it means
   * something at small limits too, and never all of them, so other requests are never starved by rounding.
   */
  int reserve(int lim) {
    if (config.criticalReserve() <= 0 || lim <= 1) {
      return 0;
    }
    return Math.min(lim - 1, Math.max(1, (int) (lim * config.criticalReserve())));
  }

  /** Takes a slot when fewer than {@code cap} are in flight; the new count, or 0 when full. */
  private int tryAcquire(int cap) {
    for (;;) {
      int n = inflight.get();
      if (n >= cap) {
        return 0;
      }
      if (inflight.compareAndSet(n, n + 1)) {
        return n + 1;
      }
    }
  }

  private boolean lagging(long now) {
    return lagThresholdNanos > 0 && lagNanos > lagThresholdNanos && now - lagComputedAt <= lagStaleNanos;
  }

  private Permit rejected(Permit permit, Rejection.Reason reason, long now) {
    permit.rejectNow(new Rejection(reason, permit.priority()));
    countRejection(permit.priority(), reason, now);
    return permit;
  }

  void countRejection(Priority priority, Rejection.Reason reason, long now) {
    metrics.rejected(priority, reason);
    // One caller over its own cap is not the node shedding load.
    if (reason != Rejection.Reason.CLIENT_LIMIT) {
      sheddingLog.rejected(now);
    }
  }

  /** A request refused after admission because its caller, known only after authentication, is over its cap. */
  Rejection clientRejected(Priority priority) {
    countRejection(priority, Rejection.Reason.CLIENT_LIMIT, clock.getAsLong());
    return new Rejection(Rejection.Reason.CLIENT_LIMIT, priority);
  }

  private Permit enqueue(Permit permit, long now) {
    permit.queuedAt(now);
    Context context = Vertx.currentContext();
    permit.await(context == null ? DIRECT : task -> context.runOnContext(v -> task.run()));
    Permit pushedOut = null;
    boolean full = false;
    synchronized (queueLock) {
      if (queuedCritical + queuedNormal >= config.maxQueueLength()) {
        // A full queue still takes a critical request: the youngest normal waiter makes room, since it has
        // waited least and matters less.
        if (permit.priority() == Priority.CRITICAL && !normalQueue.isEmpty()) {
          pushedOut = normalQueue.pollLast();
          queuedNormal--;
        } else {
          full = true;
        }
      }
      if (!full) {
        if (permit.priority() == Priority.CRITICAL) {
          criticalQueue.addLast(permit);
          queuedCritical++;
        } else {
          normalQueue.addLast(permit);
          queuedNormal++;
        }
      }
    }
    if (full) {
      return rejectWaiter(permit, Rejection.Reason.QUEUE_FULL, now);
    }
    if (pushedOut != null) {
      rejectWaiter(pushedOut, Rejection.Reason.QUEUE_FULL, now);
    }
    // A slot may have come free between the failed fast path and joining the queue; its releaser may have found
    // the queue still empty. Draining now closes that window.
    drain();
    if (permit.isWaiting()) {
      setSweep(now);
    }
    return permit;
  }

  /** Sets the queue's timeout timer for the oldest waiter's deadline, unless it is set already or nobody waits. */
  private void setSweep(long now) {
    if (!sweepSet.compareAndSet(false, true)) {
      return;
    }
    long oldest;
    synchronized (queueLock) {
      Permit c = criticalQueue.peekFirst();
      Permit n = normalQueue.peekFirst();
      if (c == null && n == null) {
        sweepSet.set(false);
        return;
      }
      oldest = c == null ? n.queuedAt() : n == null ? c.queuedAt() : Math.min(c.queuedAt(), n.queuedAt());
    }
    long dueInNanos = oldest + maxQueueNanos - now;
    long delayMs = Math.max(1, (dueInNanos + 999_999) / 1_000_000);
    timeouts.schedule(delayMs, this::sweep);
  }

  /** The timeout timer fired: refuses every waiter past {@code maxQueueMs}, then sets the timer for the rest. */
  private void sweep() {
    // Cleared first: a waiter queued from now on either sets the timer itself or is seen by the check below.
    sweepSet.set(false);
    long now = clock.getAsLong();
    for (Permit expired = pollExpired(now); expired != null; expired = pollExpired(now)) {
      rejectWaiter(expired, Rejection.Reason.QUEUE_TIMEOUT, now);
    }
    if (queueLength() > 0) {
      setSweep(now);
    }
  }

  /** The oldest waiter of either queue if it is past {@code maxQueueMs}, taken out of its queue; else null. */
  private Permit pollExpired(long now) {
    synchronized (queueLock) {
      Permit c = criticalQueue.peekFirst();
      if (c != null && overdue(c, now)) {
        return takeHead(true);
      }
      Permit n = normalQueue.peekFirst();
      return n != null && overdue(n, now) ? takeHead(false) : null;
    }
  }

  /** Takes the first waiter out of the critical or the normal queue; call under {@code queueLock}. */
  private Permit takeHead(boolean critical) {
    if (critical) {
      queuedCritical--;
      return criticalQueue.pollFirst();
    }
    queuedNormal--;
    return normalQueue.pollFirst();
  }

  private boolean overdue(Permit waiter, long now) {
    return now - waiter.queuedAt() >= maxQueueNanos;
  }

  private Permit rejectWaiter(Permit permit, Rejection.Reason reason, long now) {
    if (permit.rejectWaiting(new Rejection(reason, permit.priority()))) {
      countRejection(permit.priority(), reason, now);
    }
    return permit;
  }

  /** Hands free slots to waiters, critical first, each in arrival order. */
  void drain() {
    if (queuedCritical + queuedNormal == 0) {
      return;
    }
    long now = clock.getAsLong();
    for (;;) {
      Permit granted = null;
      Permit expired = null;
      synchronized (queueLock) {
        while (granted == null) {
          boolean critical = !criticalQueue.isEmpty();
          Permit head = critical ? criticalQueue.peekFirst() : normalQueue.peekFirst();
          if (head == null) {
            return;
          }
          if (overdue(head, now)) {
            // The timeout timer is late (the loop that runs it is busy): the wait bound holds all the same.
            expired = takeHead(critical);
            break;
          }
          int n = tryAcquire(capacity(head.priority(), now));
          if (n == 0) {
            return;
          }
          takeHead(critical);
          if (head.grant(now, n)) {
            granted = head;
          } else {
            inflight.decrementAndGet();
          }
        }
      }
      if (expired != null) {
        rejectWaiter(expired, Rejection.Reason.QUEUE_TIMEOUT, now);
        continue;
      }
      granted.wakeAdmitted();
    }
  }

  private void removeFromQueue(Permit permit) {
    synchronized (queueLock) {
      if (permit.priority() == Priority.CRITICAL) {
        if (criticalQueue.remove(permit)) {
          queuedCritical--;
        }
      } else if (normalQueue.remove(permit)) {
        queuedNormal--;
      }
    }
  }

  /** A waiting request went away. */
  void leftQueue(Permit permit) {
    removeFromQueue(permit);
  }

  /** An admitted request finished: give back its slot, learn from its latency, wake whoever waits. */
  void released(Permit permit, boolean sample) {
    inflight.decrementAndGet();
    long now = clock.getAsLong();
    if (sample && sampling.compareAndSet(false, true)) {
      try {
        algorithm.onSample(now - permit.admittedAt(), permit.inflightAtAdmission(), now);
        limit = algorithm.limit();
      } finally {
        sampling.set(false);
      }
    }
    drain();
    sheddingLog.check(now);
  }

  private void lagMeasured(long now) {
    long max = 0;
    for (EventLoopLag probe : probes.values()) {
      // A probe whose verticle was undeployed stops firing; its last reading must not hold the node down.
      if (now - probe.measuredAt() <= lagStaleNanos) {
        max = Math.max(max, probe.lagNanos());
      }
    }
    lagNanos = max;
    lagComputedAt = now;
    drain();
    sheddingLog.check(now);
  }

  String describe() {
    return "limit=" + limit + " inflight=" + inflight.get() + " queued=" + queueLength()
        + " eventLoopLagMs=" + TimeUnit.NANOSECONDS.toMillis(lagNanos);
  }
}
