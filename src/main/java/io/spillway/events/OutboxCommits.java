package io.spillway.events;

/**
 * Local-only event-bus address on which the data layer says that writes with outbox rows committed on this
 * node (the body is empty): the node's outbox relays drain at once instead of waiting for a poll, with no
 * NOTIFY in the write's transaction.
 */
public final class OutboxCommits {
  public static final String ADDRESS = "outbox.committed";

  private OutboxCommits() {}
}
