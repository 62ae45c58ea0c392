package io.spillway.web;

import io.vertx.ext.web.RoutingContext;

/**
 * Who sent a request, decided once and read by everything after: the client's address (resolved at the door,
 * before anything costly), then the user and, for an API key, its id and the account's plan (set by
 * authentication). Rate limits, shedding and idempotency all key on it, so a caller is one caller everywhere.
 *
 * @param address  the client's IP address in canonical form (trusted proxies already unwrapped); never null
 *                 on a routed request
 * @param userId   the authenticated user, or null when anonymous
 * @param apiKeyId the API key the request authenticated with, or null (a bearer token, or anonymous)
 * @param plan     the usage plan of the caller's account (whichever credential it used), or null when anonymous
 */
public record Caller(String address, Long userId, String apiKeyId, String plan) {
  private static final String KEY = "spillway.caller";
  private static final Caller UNKNOWN = new Caller(null, null, null, null);

  /** A caller known only by address: the state at the door. */
  public static Caller anonymous(String address) {
    return new Caller(address, null, null, null);
  }

  /** The request's caller; an anonymous caller without an address when the door did not run (tests, probes). */
  public static Caller of(RoutingContext ctx) {
    Caller c = ctx.get(KEY);
    return c == null ? UNKNOWN : c;
  }

  public void attach(RoutingContext ctx) {
    ctx.put(KEY, this);
  }

  /** The same caller, authenticated as {@code user} by a bearer token. */
  public Caller withUser(long user) {
    return new Caller(address, user, null, null);
  }

  /** The same caller, authenticated by the API key {@code keyId} of {@code user} on {@code plan}. */
  public Caller withApiKey(long user, String keyId, String plan) {
    return new Caller(address, user, keyId, plan);
  }

  /** The same caller on its account's usage {@code plan} (looked up after authentication, whatever the credential). */
  public Caller withPlan(String plan) {
    return new Caller(address, userId, apiKeyId, plan);
  }

  /**
   * The client's address as one client for per-address caps: an IPv4 address as it is, an IPv6 address by its
   * /64 (one customer's network: an attacker on IPv6 has a whole /64 to pick addresses from). Null without an
   * address.
   */
  public String addressGroup() {
    if (address == null || address.indexOf(':') < 0) {
      return address;
    }
    try {
      byte[] bytes = java.net.InetAddress.getByName(address).getAddress();
      if (bytes.length != 16) {
        return address;
      }
      StringBuilder out = new StringBuilder(24);
      for (int i = 0; i < 8; i += 2) {
        out.append(Integer.toHexString(((bytes[i] & 0xff) << 8) | (bytes[i + 1] & 0xff))).append(':');
      }
      return out.append(":/64").toString();
    } catch (java.net.UnknownHostException e) {
      return address;
    }
  }

  public boolean authenticated() {
    return userId != null;
  }

  /**
   * What per-client counters count against: the user when authenticated, else nothing (anonymous callers are
   * bounded per address by the address-keyed rules). The prefix keeps the key spaces apart.
   */
  public String clientKey() {
    return userId == null ? null : "user:" + userId;
  }
}
