package io.spillway.web;

import io.vertx.ext.web.RoutingContext;

/**
 * A request that turns into a stream lasting as long as the client stays (Server-Sent Events): whatever the
 * request holds for its duration (the load shedder's slot) is given back when the endpoint says the stream
 * has started, as a WebSocket upgrade gives it back, so open streams do not count as requests in flight.
 */
public final class LongLived {
  private static final String KEY = "spillway.longLived";

  private LongLived() {}

  /** Runs {@code release} if the request becomes a stream (at most once). */
  public static void onStart(RoutingContext ctx, Runnable release) {
    ctx.put(KEY, release);
  }

  /** The request is now a stream: what it held for its duration is released. */
  public static void started(RoutingContext ctx) {
    Runnable release = ctx.remove(KEY);
    if (release != null) {
      release.run();
    }
  }
}
