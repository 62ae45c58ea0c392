package io.spillway.server;

import io.spillway.config.Cidr;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.assertThrows;

class ClientAddressTest {
  private final ClientAddress address = ClientAddress.trusting(List.of("127.0.0.1", "10.0.0.0/8", "fd00::/8"));

  @Test
  void untrustedPeerIsTheClientWhateverItForwards() {
    assertEquals("203.0.113.9", address.resolve("203.0.113.9", List.of("1.2.3.4")));
  }

  @Test
  void trustedPeerWithoutHeaderIsTheClient() {
    assertEquals("10.1.2.3", address.resolve("10.1.2.3", List.of()));
  }

  @Test
  void takesTheRightMostUntrustedHop() {
    // The client put a fake address first; only the hops our proxies appended are believed.
    assertEquals("198.51.100.7", address.resolve("10.0.0.2", List.of("6.6.6.6, 198.51.100.7, 10.0.0.9")));
    assertEquals("198.51.100.7", address.resolve("127.0.0.1", List.of("6.6.6.6", "198.51.100.7,10.0.0.9")));
  }

  @Test
  void oneHopIsTheClientWhenItIsAnAddress() {
    assertEquals("198.51.100.7", address.resolve("10.0.0.2", List.of("198.51.100.7")));
    assertEquals("10.0.0.5", address.resolve("10.0.0.2", List.of("10.0.0.5")));
    // Written another way, the same address is still one client.
    assertEquals("198.51.100.7", address.resolve("10.0.0.2", List.of(" 198.51.100.7 ")));
    assertEquals("198.51.100.7", address.resolve("10.0.0.2", List.of("198.51.100.07")));
    assertEquals("10.0.0.2", address.resolve("10.0.0.2", List.of("198.51.100.256")), "not an address");
    assertEquals("10.0.0.2", address.resolve("10.0.0.2", List.of("1.2.3")), "not an address");
  }

  @Test
  void canonicalIpv4IsRecognisedExactly() {
    for (String yes : List.of("0.0.0.0", "10.1.2.3", "255.255.255.255", "192.0.2.10")) {
      assertTrue(Cidr.isCanonicalIpv4(yes), yes);
    }
    for (String no : List.of("", "1.2.3", "1.2.3.4.5", "01.2.3.4", "1.2.3.256", "1..2.3", "1.2.3.4.", " 1.2.3.4",
        "1.2.3.4:80", "1.2.3.x", "1234.1.1.1")) {
      assertFalse(Cidr.isCanonicalIpv4(no), no);
    }
  }

  @Test
  void allHopsTrustedMeansTheLeftMostIsTheClient() {
    assertEquals("10.0.0.5", address.resolve("10.0.0.2", List.of("10.0.0.5, 10.0.0.9")));
  }

  @Test
  void garbageStopsTheWalkAtTheLastVouchedAddress() {
    assertEquals("10.0.0.9", address.resolve("10.0.0.2", List.of("198.51.100.7, unknown, 10.0.0.9")));
  }

  @Test
  void ipv6AndPortsAndMappedAddressesAreNormalised() {
    assertEquals("2001:db8::1", address.resolve("fd00::1", List.of("[2001:db8:0:0:0:0:0:1]:443")));
    assertEquals("192.0.2.1", address.resolve("::ffff:10.0.0.1", List.of("192.0.2.1:8080")));
    assertEquals("2001:db8::1", address.resolve("2001:DB8::0:1", List.of()));
    assertEquals("::1", address.resolve("0:0:0:0:0:0:0:1", List.of("1.1.1.1")));
  }

  @Test
  void cidrPrefixesAreBitExact() {
    ClientAddress narrow = ClientAddress.trusting(List.of("192.168.1.128/25"));
    assertEquals("9.9.9.9", narrow.resolve("192.168.1.200", List.of("9.9.9.9")));
    assertEquals("192.168.1.100", narrow.resolve("192.168.1.100", List.of("9.9.9.9")));
    ClientAddress all = ClientAddress.trusting(List.of("0.0.0.0/0"));
    assertEquals("9.9.9.9", all.resolve("8.8.8.8", List.of("9.9.9.9")));
    assertEquals("2001:db8::1", all.resolve("2001:db8::1", List.of("9.9.9.9")));
  }

  @Test
  void refusesInvalidRanges() {
    assertThrows(IllegalArgumentException.class, () -> ClientAddress.trusting(List.of("10.0.0.0/40")));
    assertThrows(IllegalArgumentException.class, () -> ClientAddress.trusting(List.of("localhost")));
  }
}
