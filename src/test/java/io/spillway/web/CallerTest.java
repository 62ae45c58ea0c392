package io.spillway.web;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

class CallerTest {
  @Test
  void anIpv6ClientIsItsSlash64AndAnIpv4ClientItsAddress() {
    assertEquals("192.0.2.7", Caller.anonymous("192.0.2.7").addressGroup());
    assertEquals("2001:db8:0:0::/64", Caller.anonymous("2001:db8::1").addressGroup());
    assertEquals("2001:db8:0:0::/64", Caller.anonymous("2001:db8::ffff:1").addressGroup(), "same network");
    assertEquals("2001:db8:0:1::/64", Caller.anonymous("2001:db8:0:1::1").addressGroup(), "the next /64");
    assertNull(Caller.anonymous(null).addressGroup());
  }
}
