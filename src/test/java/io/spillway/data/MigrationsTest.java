package io.spillway.data;

import io.spillway.Spillway;
import io.spillway.config.AppConfig;
import io.spillway.testkit.ScratchDatabase;
import io.spillway.testkit.ShardDb;
import io.spillway.testkit.ShippedConfig;
import io.spillway.testkit.SpillwayApp;
import io.vertx.core.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Migrations against a real PostgreSQL database: applied once, checksummed, and an edited one refused. */
class MigrationsTest {
  private ScratchDatabase scratch;

  @BeforeEach
  void createDatabase() {
    scratch = new ScratchDatabase("spillway_mig");
  }

  @AfterEach
  void dropDatabase() {
    scratch.close();
  }

  @Test
  void eachFileIsAppliedOnceAndItsChecksumRecorded() throws Exception {
    List<Migrations.Migration> shipped = Migrations.shipped();
    assertEquals(shipped.size(), apply(shipped));
    assertEquals(0, apply(shipped), "a second start finds nothing to do");
    try (ShardDb db = new ShardDb(scratch.name)) {
      for (Migrations.Migration m : shipped) {
        String recorded = db.query("SELECT checksum FROM schema_migrations WHERE version = $1", m.version())
            .get(0).getString(0);
        assertEquals(m.checksum(), recorded, m.file());
        assertTrue(recorded.matches("[0-9a-f]{64}"), recorded);
      }
    }
  }

  @Test
  void anEditedMigrationStopsTheStartAndNamesTheFile() throws Exception {
    List<Migrations.Migration> shipped = Migrations.shipped();
    apply(shipped);
    List<Migrations.Migration> edited = new ArrayList<>(shipped);
    Migrations.Migration v2 = shipped.get(1);
    edited.set(1, new Migrations.Migration(v2.file(), v2.sql() + "\n-- an edit after the fact\n"));
    edited.add(new Migrations.Migration("V99__later.sql", "CREATE TABLE later (id bigint)"));

    Exception refused = assertThrows(Exception.class, () -> apply(edited));
    assertTrue(refused.getMessage().contains("db/migrations/" + v2.file() + " was changed after it was applied"),
        refused.getMessage());
    try (ShardDb db = new ShardDb(scratch.name)) {
      assertEquals(0, db.count("SELECT count(*) FROM pg_tables WHERE tablename = 'later'"),
          "nothing is applied after a changed file is found");
    }
    assertEquals(0, apply(shipped), "the files as they were still pass");
  }

  @Test
  void aNodeDoesNotStartOnAShardWhoseRecordedChecksumDiffers() throws Exception {
    apply(Migrations.shipped());
    try (ShardDb db = new ShardDb(scratch.name)) {
      db.query("UPDATE schema_migrations SET checksum = repeat('0', 64) WHERE name = $1", "V3__api_keys.sql");
    }
    AppConfig config = AppConfig.from(ShippedConfig.tree(SpillwayApp.testConfig(List.of(scratch.name), 13, "")));
    Future<Spillway> start = Spillway.start(config);
    Exception refused = assertThrows(Exception.class, () -> start.await(60, TimeUnit.SECONDS));
    assertTrue(refused.getMessage().contains("db/migrations/V3__api_keys.sql was changed after it was applied"),
        refused.getMessage());
  }

  @Test
  void rowsAppliedBeforeChecksumsGetThemBackFilled() throws Exception {
    List<Migrations.Migration> shipped = Migrations.shipped();
    apply(shipped);
    try (ShardDb db = new ShardDb(scratch.name)) {
      db.query("ALTER TABLE schema_migrations DROP COLUMN checksum");
    }
    assertEquals(0, apply(shipped), "nothing is applied again");
    try (ShardDb db = new ShardDb(scratch.name)) {
      assertEquals(0, db.count("SELECT count(*) FROM schema_migrations WHERE checksum IS NULL"));
      assertEquals(shipped.get(0).checksum(),
          db.query("SELECT checksum FROM schema_migrations WHERE version = 1").get(0).getString(0));
    }
    // Back-filled checksums are checked like any other from then on.
    List<Migrations.Migration> edited = new ArrayList<>(shipped);
    edited.set(0, new Migrations.Migration(shipped.get(0).file(), shipped.get(0).sql() + " "));
    assertThrows(Exception.class, () -> apply(edited));
  }

  @Test
  void lineEndingsDoNotChangeAChecksum() {
    assertEquals(new Migrations.Migration("V1__a.sql", "SELECT 1;\nSELECT 2;\n").checksum(),
        new Migrations.Migration("V1__a.sql", "SELECT 1;\r\nSELECT 2;\r\n").checksum());
  }

  private int apply(List<Migrations.Migration> migrations) throws Exception {
    return Migrations.apply(scratch.pool, scratch.name, migrations).await(60, TimeUnit.SECONDS);
  }
}
