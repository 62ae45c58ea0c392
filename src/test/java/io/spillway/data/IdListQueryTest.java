package io.spillway.data;

import io.vertx.sqlclient.Tuple;
import org.junit.jupiter.api.Test;

import java.util.stream.LongStream;

import static org.junit.jupiter.api.Assertions.assertEquals;

class IdListQueryTest {
  private final IdListQuery query = new IdListQuery("SELECT id FROM users WHERE id");

  @Test
  void aListIsPaddedWithItsLastIdToThePowerOfTwoAboveIt() {
    assertEquals("SELECT id FROM users WHERE id IN ($1)", query.sql(1));
    assertEquals("SELECT id FROM users WHERE id IN ($1, $2, $3, $4)", query.sql(3));
    Tuple args = query.args(new Long[] {7L, 8L, 9L});
    assertEquals(4, args.size());
    assertEquals(9L, args.getLong(3));
    assertEquals(8, query.args(ids(5)).size());
    assertEquals(8, query.args(ids(8)).size());
  }

  @Test
  void aListLongerThanThePaddedStatementsUsesAnArray() {
    assertEquals(128, query.args(ids(128)).size());
    assertEquals("SELECT id FROM users WHERE id = ANY($1)", query.sql(129));
    Tuple args = query.args(ids(129));
    assertEquals(1, args.size());
    assertEquals(129, ((Long[]) args.getValue(0)).length);
  }

  private static Long[] ids(int n) {
    return LongStream.rangeClosed(1, n).boxed().toArray(Long[]::new);
  }
}
