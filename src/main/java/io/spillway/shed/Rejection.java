package io.spillway.shed;

import io.spillway.config.Priority;

/**
 * Why a request was refused at the door. It fails {@link Permit#admitted()}; it carries no stack trace because
 * under overload it is thrown thousands of times a second and says all there is to say by its fields.
 */
public final class Rejection extends RuntimeException {
  /** The metric label of each reason is its lower-case name. */
  public enum Reason {
    /** The node is at its concurrency limit (or its event loops lag) and the request may not wait. */
    LIMIT("limit"),
    /** The request waited {@code shed.maxQueueMs} without a slot coming free. */
    QUEUE_TIMEOUT("queue_timeout"),
    /** {@code shed.maxQueueLength} requests were already waiting. */
    QUEUE_FULL("queue_full"),
    /** The caller already has {@code shed.perClient.maxInFlight} requests in progress. */
    CLIENT_LIMIT("client_limit");

    private final String label;

    Reason(String label) {
      this.label = label;
    }

    public String label() {
      return label;
    }
  }

  private final Reason reason;
  private final Priority priority;

  Rejection(Reason reason, Priority priority) {
    super(reason.label() + " (" + priority.label() + ")", null, false, false);
    this.reason = reason;
    this.priority = priority;
  }

  public Reason reason() {
    return reason;
  }

  public Priority priority() {
    return priority;
  }

  /** 429 when the caller alone is over its share, 503 when the node is overloaded. */
  public int status() {
    return reason == Reason.CLIENT_LIMIT ? 429 : 503;
  }
}
