package io.spillway.web;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The token's text form: what is accepted, what is refused, and how tokens merge. */
class ConsistencyTest {
  @Test
  void aTokenReadsBackAsItWasWrittenWithPositionsAsPostgresPrintsThem() {
    Consistency token = Consistency.parse("0:16/B374D848,3:0/1");
    assertEquals((0x16L << 32) | 0xB374D848L, token.position(0));
    assertEquals(1, token.position(3));
    assertEquals(0, token.position(1), "no position asked for on a shard the token does not name");
    assertEquals(3, token.highestShard());
    assertEquals("0:16/B374D848,3:0/1", token.toString());
    assertEquals("0:16/B374D848", Consistency.parse("0:16/b374d848").toString(), "hex in either case");
  }

  @Test
  void mergingKeepsTheHigherPositionOfEachShard() {
    Consistency merged = Consistency.parse("0:1/0,2:0/5").merge(Consistency.parse("0:0/FFFFFFFF,1:0/7,2:0/9"));
    assertEquals("0:1/0,1:0/7,2:0/9", merged.toString());
    assertEquals(merged, Consistency.parse("0:0/1").merge(null).merge(merged).merge(Consistency.parse("0:0/1")));
  }

  @Test
  void anythingElseIsRefused() {
    for (String bad : new String[] {"", "0", "0:", ":0/1", "0:0", "0:/1", "0:1/", "0:0/1,", ",0:0/1", "x:0/1",
        "12345:0/1", "0:123456789/0", "0:0/123456789", "0:0/1g", "0:0/1,0:0/2", "0:0/1 ", " 0:0/1", "-1:0/1",
        "0:0/1;1:0/1", "0:0/1," + "1:0/1,".repeat(100) + "2:0/1"}) {
      assertThrows(IllegalArgumentException.class, () -> Consistency.parse(bad), bad);
    }
    assertThrows(IllegalArgumentException.class, () -> Consistency.parse(null));
  }
}
