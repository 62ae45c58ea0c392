package io.spillway.data;

import io.spillway.testkit.Await;
import io.spillway.testkit.ScratchDatabase;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiConsumer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Reads by id gathered per pool, against a real PostgreSQL: fewer statements, and each read its own rows. */
class GatheredIdReadsTest {
  private final AtomicInteger statements = new AtomicInteger();
  private ScratchDatabase scratch;
  private Pool counted;

  @BeforeEach
  void createDatabase() {
    scratch = new ScratchDatabase("spillway_gather");
    // Every statement on the view takes a second: long enough for later reads to arrive while it runs.
    Await.result(scratch.pool.query("CREATE TABLE items (id bigint PRIMARY KEY, name text NOT NULL); "
        + "INSERT INTO items SELECT i, 'item ' || i FROM generate_series(1, 20) i; "
        + "CREATE VIEW slow_items AS SELECT i.id, i.name FROM items i, pg_sleep(1) s").execute());
    counted = countingStatements(scratch.pool);
  }

  @AfterEach
  void dropDatabase() {
    scratch.close();
  }

  @Test
  void theReadsOfOneTurnShareAStatementAndEachGetsOnlyItsOwnRows() {
    GatheredIdReads reads = new GatheredIdReads(new IdListQuery("SELECT id, name FROM items WHERE id"));
    List<Future<List<Row>>> answers = onLoop((loop, submitted) -> submitted.complete(List.of(
        reads.read(counted, new Long[] {1L, 2L}),
        reads.read(counted, new Long[] {2L, 3L, 3L}),
        reads.read(counted, new Long[] {99L, 4L}))));

    assertEquals(List.of(1L, 2L), ids(answers.get(0)));
    assertEquals(List.of(2L, 3L), ids(answers.get(1)), "a row shared with another read, an id asked for twice");
    assertEquals(List.of(4L), ids(answers.get(2)), "an id the table does not hold has no row");
    assertEquals("item 4", Await.result(answers.get(2)).get(0).getString("name"));
    assertEquals(1, statements.get(), "three reads of one turn, one statement");
  }

  @Test
  void readsThatArriveWhileAStatementIsUnansweredLeaveTogetherWhenItAnswers() {
    GatheredIdReads reads = new GatheredIdReads(new IdListQuery("SELECT id, name FROM slow_items WHERE id"));
    // Three turns: the first read leaves at the end of its turn; the next two, each in a turn of its own,
    // arrive while it runs.
    List<Future<List<Row>>> answers = onLoop((loop, submitted) -> {
      Future<List<Row>> first = reads.read(counted, new Long[] {5L});
      loop.runOnContext(v2 -> {
        Future<List<Row>> second = reads.read(counted, new Long[] {6L, 7L});
        loop.runOnContext(v3 -> submitted.complete(List.of(first, second, reads.read(counted, new Long[] {8L}))));
      });
    });

    assertEquals(List.of(5L), ids(answers.get(0)));
    assertEquals(List.of(6L, 7L), ids(answers.get(1)));
    assertEquals(List.of(8L), ids(answers.get(2)));
    assertEquals(2, statements.get(), "the first read's statement, then one for the two that waited behind it");
  }

  @Test
  void aFailedStatementFailsEveryReadItCarried() {
    GatheredIdReads reads = new GatheredIdReads(new IdListQuery("SELECT id, name FROM no_such_table WHERE id"));
    List<Future<List<Row>>> answers = onLoop((loop, submitted) -> submitted.complete(List.of(
        reads.read(counted, new Long[] {1L}), reads.read(counted, new Long[] {2L}))));
    for (Future<List<Row>> answer : answers) {
      boolean failed = Await.result(answer.transform(ar -> Future.succeededFuture(ar.failed())));
      assertTrue(failed, "a read whose statement failed fails");
    }
  }

  /** Runs {@code submit} on an event loop and returns the reads it hands to its promise. */
  private List<Future<List<Row>>> onLoop(BiConsumer<Context, Promise<List<Future<List<Row>>>>> submit) {
    Context loop = scratch.vertx.getOrCreateContext();
    Promise<List<Future<List<Row>>>> submitted = Promise.promise();
    loop.runOnContext(v -> submit.accept(loop, submitted));
    return Await.result(submitted.future());
  }

  private static List<Long> ids(Future<List<Row>> answer) {
    return Await.result(answer).stream().map(r -> r.getLong("id")).toList();
  }

  /** {@code target}, counting the prepared statements run through it. */
  private Pool countingStatements(Pool target) {
    return (Pool) Proxy.newProxyInstance(Pool.class.getClassLoader(), new Class<?>[] {Pool.class}, (proxy, method, args) -> {
      switch (method.getName()) {
        case "equals":
          return proxy == args[0];
        case "hashCode":
          return System.identityHashCode(proxy);
        case "preparedQuery":
          statements.incrementAndGet();
          break;
        default:
          break;
      }
      try {
        return method.invoke(target, args);
      } catch (InvocationTargetException e) {
        throw e.getCause();
      }
    });
  }
}
