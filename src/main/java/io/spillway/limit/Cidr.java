package io.spillway.limit;

import io.netty.util.NetUtil;

/** An IPv4 or IPv6 range; a bare address is a range of one. */
final class Cidr {
  private final byte[] network;
  private final int prefix;

  private Cidr(byte[] network, int prefix) {
    this.network = network;
    this.prefix = prefix;
  }

  /** Parses {@code 10.0.0.0/8}, {@code fd00::/8} or {@code 127.0.0.1}; null when it is none of these. */
  static Cidr parse(String text) {
    int slash = text.indexOf('/');
    byte[] address = ClientAddress.parseIp(slash < 0 ? text : text.substring(0, slash));
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

  boolean contains(byte[] address) {
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
    return NetUtil.bytesToIpAddress(network) + "/" + prefix;
  }
}
