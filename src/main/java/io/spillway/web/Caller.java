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
 * @param plan     the usage plan of the API key's account, or null
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
