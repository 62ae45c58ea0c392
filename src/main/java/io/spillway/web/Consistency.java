package io.spillway.web;

import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.internal.ContextInternal;

import java.util.Map;
import java.util.TreeMap;

/**
 * A consistency token ({@code Spillway-Consistency}): for each physical shard a client wrote to, a WAL position
 * of that shard's primary no lower than the end of the client's last commit there. A read that carries it is
 * served by a replica of a shard only when that replica has replayed at least that far, so the client reads
 * its writes on any node.
 *
 * <p>Text form: {@code <shard>:<LSN>} entries joined by {@code ,}, in shard order, the LSN as PostgreSQL
 * prints it ({@code 16/B374D848}); at most {@link #MAX_LENGTH} characters, one entry per shard.
 *
 * <p>The token a request carries and the positions its writes reached are kept on the request's duplicated
 * Vert.x context (the HTTP request's, and the data-layer message's), so no signature on the way needs them.
 */
public final class Consistency {
  public static final String HEADER = "Spillway-Consistency";
  public static final int MAX_LENGTH = 512;
  private static final String REQUIRED = "spillway.consistency.required";
  private static final String WRITTEN = "spillway.consistency.written";

  /** Shard -> position, in shard order. */
  private final TreeMap<Integer, Long> positions;

  private Consistency(TreeMap<Integer, Long> positions) {
    this.positions = positions;
  }

  public static Consistency of(int shard, long position) {
    TreeMap<Integer, Long> one = new TreeMap<>();
    one.put(shard, position);
    return new Consistency(one);
  }

  /**
   * Parses a token strictly.
   *
   * @throws IllegalArgumentException saying what is wrong, for the client
   */
  public static Consistency parse(String text) {
    if (text == null || text.isEmpty() || text.length() > MAX_LENGTH) {
      throw new IllegalArgumentException("must be 1.." + MAX_LENGTH + " characters");
    }
    TreeMap<Integer, Long> positions = new TreeMap<>();
    for (String entry : text.split(",", -1)) {
      int colon = entry.indexOf(':');
      if (colon < 1 || colon > 4 || !digits(entry, 0, colon)) {
        throw new IllegalArgumentException("each entry is <shard>:<LSN>, the shard 1..4 digits");
      }
      int shard = Integer.parseInt(entry, 0, colon, 10);
      long lsn = lsn(entry.substring(colon + 1));
      if (positions.put(shard, lsn) != null) {
        throw new IllegalArgumentException("shard " + shard + " appears twice");
      }
    }
    return new Consistency(positions);
  }

  /**
   * A PostgreSQL LSN ({@code X/Y}: two groups of 1..8 hex digits) as a number.
   *
   * @throws IllegalArgumentException when {@code text} is not one
   */
  public static long lsn(String text) {
    int slash = text.indexOf('/');
    if (slash < 1 || slash > 8 || text.length() - slash - 1 < 1 || text.length() - slash - 1 > 8
        || !hex(text, 0, slash) || !hex(text, slash + 1, text.length())) {
      throw new IllegalArgumentException("an LSN is two groups of 1..8 hex digits joined by '/'");
    }
    return (Long.parseLong(text, 0, slash, 16) << 32) | Long.parseLong(text, slash + 1, text.length(), 16);
  }

  private static boolean digits(String s, int from, int to) {
    for (int i = from; i < to; i++) {
      if (s.charAt(i) < '0' || s.charAt(i) > '9') {
        return false;
      }
    }
    return true;
  }

  private static boolean hex(String s, int from, int to) {
    for (int i = from; i < to; i++) {
      char c = s.charAt(i);
      if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'))) {
        return false;
      }
    }
    return true;
  }

  /** The position asked for on {@code shard}, 0 when the token names no position there. */
  public long position(int shard) {
    Long p = positions.get(shard);
    return p == null ? 0 : p;
  }

  /** The highest shard index the token names. */
  public int highestShard() {
    return positions.lastKey();
  }

  /** Both tokens' positions, the higher one where both name a shard. {@code other} may be null. */
  public Consistency merge(Consistency other) {
    if (other == null) {
      return this;
    }
    TreeMap<Integer, Long> merged = new TreeMap<>(positions);
    other.positions.forEach((shard, p) -> merged.merge(shard, p, Math::max));
    return new Consistency(merged);
  }

  @Override
  public String toString() {
    StringBuilder out = new StringBuilder();
    for (Map.Entry<Integer, Long> e : positions.entrySet()) {
      if (!out.isEmpty()) {
        out.append(',');
      }
      long p = e.getValue();
      out.append(e.getKey()).append(':').append(Long.toHexString(p >>> 32).toUpperCase())
          .append('/').append(Long.toHexString(p & 0xFFFFFFFFL).toUpperCase());
    }
    return out.toString();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Consistency c && c.positions.equals(positions);
  }

  @Override
  public int hashCode() {
    return positions.hashCode();
  }

  /** Keeps the token the current request carries (on its duplicated context). */
  public static void require(Consistency token) {
    if (token != null && local() instanceof ContextInternal ctx) {
      ctx.putLocal(REQUIRED, token);
    }
  }

  /** The token the current request carries, or null. */
  public static Consistency required() {
    return local() instanceof ContextInternal ctx ? ctx.getLocal(REQUIRED) : null;
  }

  /** The position the current request asks for on {@code shard} (0: none). */
  public static long required(int shard) {
    Consistency token = required();
    return token == null ? 0 : token.position(shard);
  }

  /** Notes positions the current request's writes reached (merged with what it noted before). */
  public static void wrote(Consistency positions) {
    if (positions != null && local() instanceof ContextInternal ctx) {
      ctx.putLocal(WRITTEN, positions.merge(ctx.getLocal(WRITTEN)));
    }
  }

  /** The positions the writes of the request on {@code context} reached, or null when it wrote nothing. */
  public static Consistency written(Context context) {
    return context instanceof ContextInternal ctx ? ctx.getLocal(WRITTEN) : null;
  }

  /** The current duplicated context (each request and message has its own), or null. */
  public static Context local() {
    Context ctx = Vertx.currentContext();
    return ctx instanceof ContextInternal internal && internal.isDuplicate() ? ctx : null;
  }
}
