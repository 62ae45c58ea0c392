package io.spillway.server;

import io.netty.util.NetUtil;
import io.spillway.config.Cidr;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.net.SocketAddress;

import java.util.ArrayList;
import java.util.List;

/**
 * The client's IP address. {@code X-Forwarded-For} is believed only when the direct peer is a trusted proxy
 * (anyone else can write anything there); then the hops are read right to left, each appended by the proxy
 * before it, and the first address that is not a trusted proxy is the client. Addresses come back in one
 * canonical form (IPv4-mapped IPv6 as IPv4, IPv6 compressed), so one client is one rate-limit key.
 */
public final class ClientAddress {
  public static final String FORWARDED_FOR = "X-Forwarded-For";

  private final List<Cidr> trusted;

  private ClientAddress(List<Cidr> trusted) {
    this.trusted = trusted;
  }

  /** Trusts the peers in {@code cidrs} ({@code 10.0.0.0/8}, {@code ::1}); invalid entries are refused. */
  public static ClientAddress trusting(List<String> cidrs) {
    List<Cidr> parsed = new ArrayList<>();
    for (String c : cidrs) {
      Cidr cidr = Cidr.parse(c.trim());
      if (cidr == null) {
        throw new IllegalArgumentException("not an IP address or CIDR range: " + c);
      }
      parsed.add(cidr);
    }
    return new ClientAddress(List.copyOf(parsed));
  }

  public String of(HttpServerRequest request) {
    // The connection's peer, not request.remoteAddress(): behind a Router that is a wrapper which first parses
    // the Forwarded headers (allocating for each request) to answer what the connection already knows, since
    // the router believes no forwarding header; X-Forwarded-For is judged here instead.
    SocketAddress remote = request.connection().remoteAddress();
    String peer = remote == null ? null : remote.hostAddress();
    String forwarded = request.getHeader(FORWARDED_FOR);
    // The common case, a direct client: a dotted IPv4 peer is already canonical, nothing to parse or format.
    if (forwarded == null && peer != null && NetUtil.isValidIpV4Address(peer)) {
      return peer;
    }
    return resolve(peer, forwarded == null ? null : request.headers().getAll(FORWARDED_FOR));
  }

  /** The client address given the direct peer and every {@code X-Forwarded-For} header value, in order. */
  public String resolve(String peer, List<String> forwardedFor) {
    if (peer == null) {
      return null;
    }
    byte[] current = Cidr.parseIp(peer);
    if (current == null) {
      return peer; // not an IP (a Unix socket): nothing to resolve
    }
    if (!trusted(current) || forwardedFor == null || forwardedFor.isEmpty()) {
      return format(current);
    }
    // The common case behind a load balancer: one hop, the client's IPv4 address as the proxy wrote it.
    // It is the answer whether or not it is trusted itself, and already canonical.
    if (forwardedFor.size() == 1 && Cidr.isCanonicalIpv4(forwardedFor.get(0))) {
      return forwardedFor.get(0);
    }
    List<String> hops = new ArrayList<>();
    for (String header : forwardedFor) {
      for (String hop : header.split(",")) {
        hops.add(hop.trim());
      }
    }
    for (int i = hops.size() - 1; i >= 0; i--) {
      byte[] hop = Cidr.parseIp(stripPort(hops.get(i)));
      if (hop == null) {
        // Garbage in the chain: the last address a trusted hop vouched for is as far as we can go.
        return format(current);
      }
      current = hop;
      if (!trusted(hop)) {
        return format(hop);
      }
    }
    return format(current);
  }

  private boolean trusted(byte[] address) {
    for (Cidr c : trusted) {
      if (c.contains(address)) {
        return true;
      }
    }
    return false;
  }

  /** {@code [2001:db8::1]:443} and {@code 192.0.2.1:443} are addresses with a port some proxies add. */
  private static String stripPort(String hop) {
    if (hop.startsWith("[")) {
      int close = hop.indexOf(']');
      return close < 0 ? hop : hop.substring(1, close);
    }
    int colon = hop.indexOf(':');
    if (colon > 0 && colon == hop.lastIndexOf(':')) {
      return hop.substring(0, colon);
    }
    return hop;
  }

  private static String format(byte[] address) {
    return Cidr.format(address);
  }
}
