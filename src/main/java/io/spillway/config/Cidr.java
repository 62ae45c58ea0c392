package io.spillway.config;

import io.netty.util.NetUtil;

/**
 * An IPv4 or IPv6 range; a bare address is a range of one. The one place addresses and ranges are parsed:
 * config validation, trusted proxies and per-address limits all use it.
 */
public final class Cidr {
  private final byte[] network;
  private final int prefix;

  private Cidr(byte[] network, int prefix) {
    this.network = network;
    this.prefix = prefix;
  }

  /** Parses {@code 10.0.0.0/8}, {@code fd00::/8} or {@code 127.0.0.1}; null when it is none of these. */
  public static Cidr parse(String text) {
    if (text == null) {
      return null;
    }
    int slash = text.indexOf('/');
    byte[] address = parseIp(slash < 0 ? text : text.substring(0, slash));
    if (address == null) {
      return null;
    }
    int max = address.length * 8;
    int prefix = max;
    if (slash >= 0) {
      try {
        prefix = Integer.parseInt(text.substring(slash + 1));
      } catch (NumberFormatException e) {
        return null;
      }
      if (prefix < 0 || prefix > max) {
        return null;
      }
    }
    return new Cidr(address, prefix);
  }

  /** Why {@code text} is not a range {@link #parse} accepts, or null when it is one. */
  public static String problem(String text) {
    return parse(text) != null ? null
        : "is not an IPv4 or IPv6 address or CIDR range with a prefix length in range (e.g. 10.0.0.0/8, fd00::/8)";
  }

  /**
   * The address's bytes (4 for IPv4, including IPv4-mapped IPv6; 16 for IPv6), or null if {@code text} is
   * not an address literal. Never a DNS lookup: on anything but a literal that would block.
   */
  public static byte[] parseIp(String text) {
    if (text == null || text.isEmpty()) {
      return null;
    }
    byte[] bytes = NetUtil.createByteArrayFromIpAddressString(text);
    if (bytes != null && bytes.length == 16 && isIpv4Mapped(bytes)) {
      return new byte[] {bytes[12], bytes[13], bytes[14], bytes[15]};
    }
    return bytes;
  }

  /** The canonical text of an address (IPv6 compressed), so one client is one key. */
  public static String format(byte[] address) {
    return NetUtil.bytesToIpAddress(address);
  }

  /** Whether {@code text} is dotted IPv4 exactly as {@link #format} writes it: four numbers up to 255, no leading zeros. */
  public static boolean isCanonicalIpv4(String text) {
    int n = text.length();
    int i = 0;
    for (int part = 0; part < 4; part++) {
      if (part > 0) {
        if (i == n || text.charAt(i) != '.') {
          return false;
        }
        i++;
      }
      int start = i;
      int value = 0;
      while (i < n && i - start < 3 && text.charAt(i) >= '0' && text.charAt(i) <= '9') {
        value = value * 10 + text.charAt(i++) - '0';
      }
      int digits = i - start;
      if (digits == 0 || value > 255 || digits > 1 && text.charAt(start) == '0') {
        return false;
      }
    }
    return i == n;
  }

  private static boolean isIpv4Mapped(byte[] b) {
    for (int i = 0; i < 10; i++) {
      if (b[i] != 0) {
        return false;
      }
    }
    return b[10] == (byte) 0xff && b[11] == (byte) 0xff;
  }

  /** The prefix length: 0 is every address of the family. */
  public int prefix() {
    return prefix;
  }

  public boolean contains(byte[] address) {
    if (address.length != network.length) {
      return false;
    }
    int whole = prefix / 8;
    for (int i = 0; i < whole; i++) {
      if (address[i] != network[i]) {
        return false;
      }
    }
    int bits = prefix % 8;
    if (bits == 0) {
      return true;
    }
    int mask = (0xff << (8 - bits)) & 0xff;
    return (address[whole] & mask) == (network[whole] & mask);
  }

  @Override
  public String toString() {
    return format(network) + "/" + prefix;
  }
}
