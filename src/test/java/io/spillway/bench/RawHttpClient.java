package io.spillway.bench;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.vertx.core.Future;
import io.vertx.core.Promise;

import java.net.InetSocketAddress;
import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * The open-loop generator's HTTP/1.1 client, on Netty with one event-loop thread (epoll where available):
 * the requests come pre-encoded, one buffer each, and an answer is read for its status and framing only, its
 * body skipped where it lies. A general client's request objects, header maps and decoders cost more CPU per
 * request than the generator can spare on a machine it shares with the server it measures.
 *
 * <p>Keep-alive connections, at most {@code maxConnections}, opened when a request finds every open one busy;
 * one request in flight per connection (no pipelining), the rest wait in arrival order. A connection that
 * closes or fails fails its request and is replaced when requests wait. Each request has {@code timeoutMs}
 * from {@link #send}: past it the request fails and its connection (if it had one) is closed.
 *
 * <p>Everything, {@link #send} included, runs on {@link #loop()}, so nothing here is locked.
 */
final class RawHttpClient implements AutoCloseable {
  /** A failed request; no stack trace, since a failing server can make thousands a second. */
  static final class Failure extends Exception {
    Failure(String message) {
      super(message, null, false, false);
    }
  }

  private static final Failure TIMEOUT = new Failure("no answer within the timeout");
  private static final Failure CLOSED = new Failure("the connection closed before the answer was complete");
  private static final Failure CONNECT = new Failure("could not connect");
  private static final int MAX_LINE = 64 * 1024;

  private final EventLoopGroup group;
  private final EventLoop loop;
  private final Bootstrap bootstrap;
  private final int maxConnections;
  private final long timeoutNanos;
  /** Connections with nothing in flight, the most recently used first; closed ones are dropped when met. */
  private final ArrayDeque<Connection> idle = new ArrayDeque<>();
  /** Requests waiting for a connection, oldest first; ones already failed by their timeout are skipped. */
  private final ArrayDeque<Exchange> waiting = new ArrayDeque<>();
  /** Every unfinished request in the order sent, which is the order of their deadlines (one timeout for all). */
  private final ArrayDeque<Exchange> byDeadline = new ArrayDeque<>();
  private int open;
  private int connecting;

  RawHttpClient(String host, int port, int maxConnections, long timeoutMs) {
    boolean epoll = Epoll.isAvailable();
    group = new MultiThreadIoEventLoopGroup(1, epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory());
    loop = group.next();
    this.maxConnections = maxConnections;
    timeoutNanos = TimeUnit.MILLISECONDS.toNanos(timeoutMs);
    bootstrap = new Bootstrap().group(loop).channel(epoll ? EpollSocketChannel.class : NioSocketChannel.class)
        .remoteAddress(new InetSocketAddress(host, port))
        .option(ChannelOption.TCP_NODELAY, true)
        .option(ChannelOption.ALLOCATOR, PooledByteBufAllocator.DEFAULT)
        .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.min(timeoutMs, Integer.MAX_VALUE));
    long sweep = Math.max(1, Math.min(10, timeoutMs / 10));
    loop.scheduleAtFixedRate(this::expire, sweep, sweep, TimeUnit.MILLISECONDS);
  }

  /** The one thread every call and callback runs on. */
  EventLoop loop() {
    return loop;
  }

  /** Where request buffers come from. */
  ByteBufAllocator alloc() {
    return PooledByteBufAllocator.DEFAULT;
  }

  /**
   * Sends one encoded request (the buffer is this client's from then on); the future has the answer's status
   * once the whole answer is read. {@code head}: the answer has no body whatever its headers say.
   */
  Future<Integer> send(ByteBuf request, boolean head) {
    Exchange x = new Exchange(request, head, System.nanoTime() + timeoutNanos);
    byDeadline.add(x);
    Connection c = idleConnection();
    if (c != null) {
      c.start(x);
    } else {
      waiting.add(x);
      openMore();
    }
    return x.promise.future();
  }

  @Override
  public void close() {
    group.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
  }

  /** One more connection while requests wait that the connections under way would not serve. */
  private void openMore() {
    while (open < maxConnections && connecting < waiting.size()) {
      open++;
      connecting++;
      Connection c = new Connection();
      bootstrap.clone().handler(c).connect().addListener((ChannelFuture f) -> {
        connecting--;
        if (f.isSuccess()) {
          c.free();
        } else {
          open--;
          Exchange x = nextWaiting();
          if (x != null) {
            fail(x, CONNECT);
          }
          openMore();
        }
      });
    }
  }

  private Connection idleConnection() {
    return pollLive(idle, c -> c.closed);
  }

  private Exchange nextWaiting() {
    return pollLive(waiting, x -> x.done);
  }

  /** The first of {@code queue} still of use, the ones before it that are {@code gone} dropped. */
  private static <T> T pollLive(ArrayDeque<T> queue, Predicate<T> gone) {
    T t = queue.poll();
    while (t != null && gone.test(t)) {
      t = queue.poll();
    }
    return t;
  }

  private void expire() {
    long now = System.nanoTime();
    Exchange x;
    while ((x = byDeadline.peek()) != null && (x.done || x.deadline - now <= 0)) {
      byDeadline.poll();
      if (!x.done) {
        Connection c = x.connection;
        fail(x, TIMEOUT);
        if (c != null) {
          c.abandon();
        }
      }
    }
  }

  private static void fail(Exchange x, Throwable cause) {
    x.done = true;
    if (x.connection == null) {
      x.request.release(); // never handed to a channel
    }
    x.promise.fail(cause);
  }

  private static final class Exchange {
    final ByteBuf request;
    final boolean head;
    final long deadline;
    final Promise<Integer> promise = Promise.promise();
    Connection connection;
    boolean done;

    Exchange(ByteBuf request, boolean head, long deadline) {
      this.request = request;
      this.head = head;
      this.deadline = deadline;
    }
  }

  private enum State { STATUS, HEADERS, BODY, UNTIL_CLOSE, CHUNK_SIZE, CHUNK_DATA, CHUNK_END, TRAILERS }

  /** One connection: its request in flight and the parse of its answer so far. */
  private final class Connection extends ChannelInboundHandlerAdapter {
    private Channel channel;
    private Exchange current;
    private boolean closed;
    private State state;
    private int status;
    private boolean keepAlive;
    private boolean chunked;
    private long contentLength;
    private long remaining;
    private byte[] line = new byte[256];
    private int lineLength;

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
      channel = ctx.channel();
    }

    void start(Exchange x) {
      current = x;
      x.connection = this;
      state = State.STATUS;
      lineLength = 0;
      channel.writeAndFlush(x.request, channel.voidPromise());
    }

    /** Nothing in flight any more: the next waiting request, or the idle list. */
    void free() {
      Exchange next = nextWaiting();
      if (next != null) {
        start(next);
      } else {
        idle.push(this);
      }
    }

    /** Its request was given up: the answer, if it ever comes, must not be read as the next one's. */
    void abandon() {
      current = null;
      closed = true;
      channel.close();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      ByteBuf in = (ByteBuf) msg;
      try {
        if (current == null) {
          abandon(); // bytes nobody asked for
          return;
        }
        if (parse(in)) {
          Exchange x = current;
          current = null;
          // Bytes after the answer cannot belong to a request not yet sent: the connection is out of step.
          boolean reuse = keepAlive && !in.isReadable() && !closed;
          if (!reuse) {
            abandon();
          }
          x.done = true;
          x.promise.complete(status);
          if (reuse) {
            free();
          }
        }
      } catch (Failure protocol) {
        Exchange x = current;
        abandon();
        fail(x, protocol);
      } finally {
        in.release();
      }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
      closed = true;
      open--;
      Exchange x = current;
      current = null;
      if (x != null && state == State.UNTIL_CLOSE) {
        x.done = true;
        x.promise.complete(status); // an answer without a length ends with its connection
      } else if (x != null) {
        fail(x, CLOSED);
      }
      openMore();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      ctx.close(); // channelInactive fails the request in flight
    }

    /** Reads what {@code in} holds of the answer; true once it is complete. */
    private boolean parse(ByteBuf in) throws Failure {
      while (in.isReadable()) {
        switch (state) {
          case STATUS -> {
            if (!readLine(in)) {
              return false;
            }
            statusLine();
          }
          case HEADERS -> {
            if (!readLine(in)) {
              return false;
            }
            if (lineLength > 0) {
              header();
            } else if (endOfHeaders()) {
              return true;
            }
          }
          case BODY, CHUNK_DATA -> {
            int n = (int) Math.min(remaining, in.readableBytes());
            in.skipBytes(n);
            remaining -= n;
            if (remaining == 0) {
              if (state == State.BODY) {
                return true;
              }
              state = State.CHUNK_END;
            }
          }
          case UNTIL_CLOSE -> in.skipBytes(in.readableBytes());
          case CHUNK_SIZE -> {
            if (!readLine(in)) {
              return false;
            }
            remaining = chunkSize();
            state = remaining == 0 ? State.TRAILERS : State.CHUNK_DATA;
          }
          case CHUNK_END -> {
            if (!readLine(in)) {
              return false;
            }
            if (lineLength != 0) {
              throw new Failure("no CRLF after a chunk");
            }
            state = State.CHUNK_SIZE;
          }
          case TRAILERS -> {
            if (!readLine(in)) {
              return false;
            }
            if (lineLength == 0) {
              return true;
            }
          }
        }
      }
      return false;
    }

    /** Appends to {@link #line} up to the next LF; true when the line is whole (its CR, LF dropped). */
    private boolean readLine(ByteBuf in) throws Failure {
      int start = in.readerIndex();
      int lf = in.indexOf(start, in.writerIndex(), (byte) '\n');
      int n = (lf < 0 ? in.writerIndex() : lf) - start;
      if (lineLength + n > line.length) {
        if (lineLength + n > MAX_LINE) {
          throw new Failure("a status or header line over " + MAX_LINE + " bytes");
        }
        line = java.util.Arrays.copyOf(line, Math.max(line.length * 2, lineLength + n));
      }
      in.readBytes(line, lineLength, n);
      lineLength += n;
      if (lf < 0) {
        return false;
      }
      in.skipBytes(1);
      if (lineLength > 0 && line[lineLength - 1] == '\r') {
        lineLength--;
      }
      return true;
    }

    private void statusLine() throws Failure {
      // HTTP/1.x SSS reason
      if (lineLength < 12 || !startsWith("HTTP/1.") || line[8] != ' ') {
        throw new Failure("not an HTTP/1.x status line");
      }
      status = 0;
      for (int i = 9; i < 12; i++) {
        int d = line[i] - '0';
        if (d < 0 || d > 9) {
          throw new Failure("not an HTTP/1.x status line");
        }
        status = status * 10 + d;
      }
      keepAlive = line[7] == '1'; // HTTP/1.1 keeps the connection unless told; HTTP/1.0 closes it unless told
      chunked = false;
      contentLength = -1;
      lineLength = 0;
      state = State.HEADERS;
    }

    private void header() throws Failure {
      int colon = 0;
      while (colon < lineLength && line[colon] != ':') {
        colon++;
      }
      if (colon == lineLength) {
        throw new Failure("a header line without a colon");
      }
      int from = colon + 1;
      int to = lineLength;
      while (from < to && (line[from] == ' ' || line[from] == '\t')) {
        from++;
      }
      while (to > from && (line[to - 1] == ' ' || line[to - 1] == '\t')) {
        to--;
      }
      if (nameIs("content-length", colon)) {
        long n = 0;
        if (from == to) {
          throw new Failure("an empty Content-Length");
        }
        for (int i = from; i < to; i++) {
          int d = line[i] - '0';
          if (d < 0 || d > 9 || n > Long.MAX_VALUE / 10) {
            throw new Failure("a bad Content-Length");
          }
          n = n * 10 + d;
        }
        if (contentLength >= 0 && contentLength != n) {
          throw new Failure("two different Content-Lengths");
        }
        contentLength = n;
      } else if (nameIs("transfer-encoding", colon)) {
        chunked = contains(from, to, "chunked");
      } else if (nameIs("connection", colon)) {
        if (contains(from, to, "close")) {
          keepAlive = false;
        } else if (contains(from, to, "keep-alive")) {
          keepAlive = true;
        }
      }
      lineLength = 0;
    }

    /** After the blank line: true if the answer is complete already (no body). */
    private boolean endOfHeaders() throws Failure {
      lineLength = 0;
      if (status >= 100 && status < 200) {
        if (status == 101) {
          throw new Failure("101 Switching Protocols, which was not asked for");
        }
        state = State.STATUS; // an interim answer; the real one follows
        return false;
      }
      if (current.head || status == 204 || status == 304) {
        return true;
      }
      if (chunked) {
        state = State.CHUNK_SIZE;
        return false;
      }
      if (contentLength >= 0) {
        remaining = contentLength;
        state = State.BODY;
        return contentLength == 0;
      }
      keepAlive = false;
      state = State.UNTIL_CLOSE;
      return false;
    }

    private long chunkSize() throws Failure {
      long n = 0;
      int i = 0;
      for (; i < lineLength && line[i] != ';' && line[i] != ' ' && line[i] != '\t'; i++) {
        int d = Character.digit(line[i], 16);
        if (d < 0 || n > (Long.MAX_VALUE >> 4)) {
          throw new Failure("a bad chunk size");
        }
        n = n * 16 + d;
      }
      if (i == 0) {
        throw new Failure("a bad chunk size");
      }
      lineLength = 0;
      return n;
    }

    private boolean startsWith(String prefix) {
      for (int i = 0; i < prefix.length(); i++) {
        if (line[i] != prefix.charAt(i)) {
          return false;
        }
      }
      return true;
    }

    /** Whether the header name (line[0, length)) is {@code name}, which is lower case. */
    private boolean nameIs(String name, int length) {
      if (length != name.length()) {
        return false;
      }
      for (int i = 0; i < length; i++) {
        if ((line[i] | 0x20) != name.charAt(i)) {
          return false;
        }
      }
      return true;
    }

    /** Whether line[from, to) contains {@code word} (lower case), ignoring case. */
    private boolean contains(int from, int to, String word) {
      outer:
      for (int i = from; i + word.length() <= to; i++) {
        for (int j = 0; j < word.length(); j++) {
          if ((line[i + j] | 0x20) != word.charAt(j)) {
            continue outer;
          }
        }
        return true;
      }
      return false;
    }
  }
}
