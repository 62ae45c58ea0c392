package io.spillway.push;

/** A connection that follows channels: the hub hands it each event of a channel it subscribed to. */
interface Subscriber {
  /** Called on the hub's event loop for every event of {@code sub}'s channel. */
  void deliver(Subscription sub, StreamEvent event);
}
