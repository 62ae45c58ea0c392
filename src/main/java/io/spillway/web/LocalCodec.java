package io.spillway.web;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.MessageCodec;

/**
 * Passes immutable objects (records) across the event bus inside one JVM by reference, without
 * serialising them. Every address that uses it is local-only, so the wire methods are never called.
 */
public final class LocalCodec implements MessageCodec<Object, Object> {
  public static final String NAME = "spillway-local";

  /** Send and reply options for local records. */
  public static DeliveryOptions options(long timeoutMs) {
    return new DeliveryOptions().setCodecName(NAME).setLocalOnly(true).setSendTimeout(timeoutMs);
  }

  /** Registers the codec once per Vertx instance (several verticles may try). */
  public static synchronized void register(Vertx vertx) {
    try {
      vertx.eventBus().registerCodec(new LocalCodec());
    } catch (IllegalStateException alreadyRegistered) {
      // Another verticle registered it first.
    }
  }

  @Override
  public void encodeToWire(Buffer buffer, Object o) {
    throw new UnsupportedOperationException(NAME + " is local-only");
  }

  @Override
  public Object decodeFromWire(int pos, Buffer buffer) {
    throw new UnsupportedOperationException(NAME + " is local-only");
  }

  @Override
  public Object transform(Object o) {
    return o;
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public byte systemCodecID() {
    return -1;
  }
}
