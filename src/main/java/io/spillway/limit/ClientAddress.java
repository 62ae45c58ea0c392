package io.spillway.limit;

import io.netty.util.NetUtil;
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
    SocketAddress remote = request.remoteAddress();
    String peer = remote == null ? null : remote.hostAddress();
    return resolve(peer, request.headers().getAll(FORWARDED_FOR));
  }

  /** The client address given the direct peer and every {@code X-Forwarded-For} header value, in order. */
  public String resolve(String peer, List<String> forwardedFor) {
    if (peer == null) {
      return null;
    }
    byte[] current = parseIp(peer);
    if (current == null) {
      return peer; // not an IP (a Unix socket): nothing to resolve
    }
    if (!trusted(current) || forwardedFor == null || forwardedFor.isEmpty()) {
      return format(current);
    }
    List<String> hops = new ArrayList<>();
    for (String header : forwardedFor) {
      for (String hop : header.split(",")) {
        hops.add(hop.trim());
      }
    }
    for (int i = hops.size() - 1; i >= 0; i--) {
      byte[] hop = parseIp(stripPort(hops.get(i)));
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

  /** The address's bytes (4 for IPv4, including IPv4-mapped IPv6; 16 for IPv6), or null if not a literal. */
  static byte[] parseIp(String text) {
    if (text == null || text.isEmpty()) {
      return null;
    }
    // Never InetAddress.getByName: on anything but a literal it would block on a DNS lookup.
    byte[] bytes = NetUtil.createByteArrayFromIpAddressString(text);
    if (bytes != null && bytes.length == 16 && isIpv4Mapped(bytes)) {
      return new byte[] {bytes[12], bytes[13], bytes[14], bytes[15]};
    }
    return bytes;
  }

  private static boolean isIpv4Mapped(byte[] b) {
    for (int i = 0; i < 10; i++) {
      if (b[i] != 0) {
        return false;
      }
    }
    return b[10] == (byte) 0xff && b[11] == (byte) 0xff;
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
    return NetUtil.bytesToIpAddress(address);
  }
}
