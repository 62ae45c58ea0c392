package io.spillway.push;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.Channel;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.net.impl.ConnectionBase;

/**
 * Where one WebSocket's frames go. Vert.x's {@code writeFrame} copies the payload into a new buffer, wraps it in
 * a Netty frame and passes it through the connection's message queue with a promise, for every socket; with one
 * event going to thousands of sockets that was most of the push's CPU. Here an event is encoded once per event
 * loop ({@link #encode}: header and payload, unmasked as a server sends it) into one pooled buffer, and each
 * socket gets a retained duplicate of it (a reference count, not a copy), written into its Netty channel without
 * a flush; the hub flushes every socket it wrote once at the end of the event-loop turn, so events that arrive
 * together leave in one system call per socket.
 *
 * <p>Raw frames pass the pipeline's WebSocket encoders untouched (they only encode Netty frame objects), and an
 * uncompressed message stays valid when permessage-deflate was negotiated (its RSV1 bit is clear). Every data
 * frame of a session goes this way, so the order of answers and events holds; close and ping frames go through
 * Vert.x, which writes them behind what is already in the channel. Sessions whose connection is not a Vert.x
 * {@link ConnectionBase} (none today) fall back to {@code writeFrame}.
 */
final class FrameSink {
  private static final int TEXT_FINAL = 0x81;

  private final ServerWebSocket ws;
  private final Channel channel;

  private FrameSink(ServerWebSocket ws, Channel channel) {
    this.ws = ws;
    this.channel = channel;
  }

  /** The sink of {@code ws}, upgraded from a request on {@code connection}. */
  static FrameSink of(ServerWebSocket ws, HttpConnection connection) {
    return new FrameSink(ws, connection instanceof ConnectionBase base ? base.channel() : null);
  }

  /** One final text frame as a server sends it: opcode, length (7, 16 or 64 bits), payload; no mask. */
  static ByteBuf encode(ByteBufAllocator alloc, byte[] payload) {
    int n = payload.length;
    ByteBuf buf = alloc.directBuffer(n + (n < 126 ? 2 : n <= 0xFFFF ? 4 : 10));
    buf.writeByte(TEXT_FINAL);
    if (n < 126) {
      buf.writeByte(n);
    } else if (n <= 0xFFFF) {
      buf.writeByte(126).writeShort(n);
    } else {
      buf.writeByte(127).writeLong(n);
    }
    return buf.writeBytes(payload);
  }

  /** False once the socket is gone. */
  boolean open() {
    return channel != null ? channel.isActive() : !ws.isClosed();
  }

  /** True when the socket's outbound buffer is over {@code stream.maxOutboundBytes}: the client is not reading. */
  boolean full() {
    return channel != null ? !channel.isWritable() : ws.writeQueueFull();
  }

  /** Writes one frame and flushes it now (answers, replayed history). */
  void send(byte[] frame) {
    if (channel == null) {
      ws.writeFrame(Frames.text(frame));
      return;
    }
    channel.writeAndFlush(encode(channel.alloc(), frame), channel.voidPromise());
  }

  /**
   * Writes an event encoded by {@link #encode} (the caller keeps its reference) without flushing; true when
   * {@link #flush} must follow. {@code frame} is the same event's payload, for the fallback.
   */
  boolean queue(ByteBuf encoded, byte[] frame) {
    if (channel == null) {
      ws.writeFrame(Frames.text(frame));
      return false;
    }
    channel.write(encoded.retainedDuplicate(), channel.voidPromise());
    return true;
  }

  void flush() {
    channel.flush();
  }
}
