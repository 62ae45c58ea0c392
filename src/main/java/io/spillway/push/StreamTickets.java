package io.spillway.push;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;

/**
 * Single-use, short-lived tickets for opening a WebSocket from a browser, which cannot set headers on the
 * upgrade: {@code POST /v1/stream/ticket} (authenticated as usual) makes one, {@code GET /v1/stream?ticket=}
 * spends it. A ticket in a URL may end up in a proxy's log, but by then it is spent or expired; a bearer
 * token there would stay usable for its whole life. Kept in Redis (only its SHA-256), so any node can
 * redeem it, and taken with {@code GETDEL}, so only once.
 */
public final class StreamTickets {
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final String PREFIX = "spillway:ticket:";
  /** Tickets are 32 random bytes in base64url: 43 characters. */
  static final int LENGTH = 43;

  /** Who a ticket was made for, and when the credential that made it expires (0: never, an API key). */
  public record Holder(long userId, long expiresAtMs) {}

  private final Redis redis;
  private final int ttlSeconds;

  public StreamTickets(Redis redis, int ttlSeconds) {
    this.redis = redis;
    this.ttlSeconds = ttlSeconds;
  }

  public int ttlSeconds() {
    return ttlSeconds;
  }

  /** A new ticket for {@code userId}; the socket it opens lives no longer than {@code expiresAtMs} (0: no limit). */
  public Future<String> issue(long userId, long expiresAtMs) {
    byte[] secret = new byte[32];
    RANDOM.nextBytes(secret);
    String ticket = Base64.getUrlEncoder().withoutPadding().encodeToString(secret);
    String holder = new JsonObject().put("u", userId).put("e", expiresAtMs).encode();
    return redis.send(Request.cmd(Command.SET).arg(key(ticket)).arg(holder).arg("EX").arg(ttlSeconds).arg("NX"))
        .map(ticket);
  }

  /** The ticket's holder, spending it; null when it is unknown, spent or expired. */
  public Future<Holder> redeem(String ticket) {
    if (ticket == null || ticket.length() != LENGTH) {
      return Future.succeededFuture(null);
    }
    return redis.send(Request.cmd(Command.GETDEL).arg(key(ticket))).map(r -> {
      if (r == null) {
        return null;
      }
      JsonObject holder = new JsonObject(r.toString());
      return new Holder(holder.getLong("u"), holder.getLong("e"));
    });
  }

  private static String key(String ticket) {
    try {
      return PREFIX + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
          .digest(ticket.getBytes(StandardCharsets.US_ASCII)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
