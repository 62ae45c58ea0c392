package io.spillway.push;

import io.vertx.core.Vertx;
import io.vertx.core.shareddata.LocalMap;
import io.vertx.core.shareddata.Shareable;

import java.util.concurrent.ConcurrentHashMap;

/**
 * How many WebSockets each user and each address (an IPv6 address by its /64) holds open on this node, capped
 * at {@code stream.maxConnectionsPerUser} and {@code stream.maxConnectionsPerAddress}: one client cannot hold
 * thousands of sockets (each with its buffers and subscriptions). One per node, shared by every HttpVerticle;
 * only holders of open sockets have an entry.
 */
final class ConnectionCaps implements Shareable {
  private static final String SHARED_MAP = "spillway.stream.connections";

  private final int perUser;
  private final int perAddress;
  private final ConcurrentHashMap<String, Integer> open = new ConcurrentHashMap<>();

  ConnectionCaps(int perUser, int perAddress) {
    this.perUser = perUser;
    this.perAddress = perAddress;
  }

  static ConnectionCaps shared(Vertx vertx, int perUser, int perAddress) {
    LocalMap<String, ConnectionCaps> map = vertx.sharedData().getLocalMap(SHARED_MAP);
    return map.computeIfAbsent("node", k -> new ConnectionCaps(perUser, perAddress));
  }

  /** Why the socket may not open ({@code "user"} or {@code "address"}), or null when it may and is now counted. */
  String open(long userId, String address) {
    String user = "user:" + userId;
    if (!acquire(user, perUser)) {
      return "user";
    }
    if (address != null && !acquire("addr:" + address, perAddress)) {
      release(user);
      return "address";
    }
    return null;
  }

  void close(long userId, String address) {
    release("user:" + userId);
    if (address != null) {
      release("addr:" + address);
    }
  }

  int perUser() {
    return perUser;
  }

  int perAddress() {
    return perAddress;
  }

  private boolean acquire(String key, int max) {
    boolean[] ok = new boolean[1];
    open.compute(key, (k, n) -> {
      int count = n == null ? 0 : n;
      if (count >= max) {
        return n;
      }
      ok[0] = true;
      return count + 1;
    });
    return ok[0];
  }

  private void release(String key) {
    open.computeIfPresent(key, (k, n) -> n <= 1 ? null : n - 1);
  }
}
