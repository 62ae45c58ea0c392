package io.spillway.arch;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

/**
 * The package graph of docs/architecture.md, enforced: dependencies point one way, {@code web} and {@code
 * config} are leaves, the limiter and the shedder read the caller from {@code web} only, the data layer knows
 * nothing of HTTP, and only the node's wiring ({@code server} and the entry point) knows every package.
 */
class PackageGraphTest {
  private static JavaClasses main;

  @BeforeAll
  static void importMainClasses() {
    main = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
        .importPackages("io.spillway");
  }

  private static void check(ArchRule rule) {
    rule.check(main);
  }

  @Test
  void packagesFormNoCycle() {
    check(slices().matching("io.spillway.(*)..").should().beFreeOfCycles());
  }

  @Test
  void webAndConfigAreLeaves() {
    check(noClasses().that().resideInAPackage("io.spillway.web..").should().dependOnClassesThat()
        .resideInAnyPackage(others("web")));
    check(noClasses().that().resideInAPackage("io.spillway.config..").should().dependOnClassesThat()
        .resideInAnyPackage(others("config")));
  }

  @Test
  void sharedPlumbingDependsOnLeavesOnly() {
    check(noClasses().that().resideInAnyPackage("io.spillway.events..", "io.spillway.redis..")
        .should().dependOnClassesThat().resideInAnyPackage(except("web", "config", "events", "redis", "observe")));
    check(noClasses().that().resideInAPackage("io.spillway.observe..")
        .should().dependOnClassesThat().resideInAnyPackage(except("web", "config", "observe")));
  }

  @Test
  void limitsAndSheddingReadTheCallerFromWebOnly() {
    check(noClasses().that().resideInAnyPackage("io.spillway.limit..", "io.spillway.shed..")
        .should().dependOnClassesThat().resideInAnyPackage(
            "io.spillway.api..", "io.spillway.data..", "io.spillway.auth..", "io.spillway.server..",
            "io.spillway.push..", "io.spillway.outbox..", "io.spillway.cache.."));
  }

  @Test
  void authKnowsNoStorageNorPolicy() {
    check(noClasses().that().resideInAPackage("io.spillway.auth..").should().dependOnClassesThat()
        .resideInAnyPackage("io.spillway.api..", "io.spillway.data..", "io.spillway.server..",
            "io.spillway.limit..", "io.spillway.shed..", "io.spillway.push..", "io.spillway.outbox..",
            "io.spillway.cache.."));
  }

  @Test
  void theDataLayerKnowsNoHttp() {
    check(noClasses().that().resideInAPackage("io.spillway.data..").should().dependOnClassesThat()
        .resideInAnyPackage("io.vertx.ext.web..", "io.vertx.core.http..", "io.spillway.server..",
            "io.spillway.api..", "io.spillway.auth..", "io.spillway.limit..", "io.spillway.shed..",
            "io.spillway.push..", "io.spillway.outbox..", "io.spillway.cache..", "io.spillway.reshard..",
            "io.spillway.feed.."));
  }

  @Test
  void theShardMoverStandsOnTheDataLayerOnly() {
    check(noClasses().that().resideInAPackage("io.spillway.reshard..").should().dependOnClassesThat()
        .resideInAnyPackage(except("web", "config", "observe", "data", "reshard")));
  }

  @Test
  void theFanOutTalksToTheDataLayerOnly() {
    check(noClasses().that().resideInAPackage("io.spillway.feed..").should().dependOnClassesThat()
        .resideInAnyPackage("io.spillway.server..", "io.spillway.api..", "io.spillway.push..", "io.spillway.outbox..",
            "io.spillway.cache..", "io.spillway.limit..", "io.spillway.shed..", "io.spillway.auth..",
            "io.spillway.reshard.."));
  }

  @Test
  void theRelayAndThePushStayBelowTheApi() {
    check(noClasses().that().resideInAPackage("io.spillway.outbox..").should().dependOnClassesThat()
        .resideInAnyPackage("io.spillway.server..", "io.spillway.api..", "io.spillway.push..",
            "io.spillway.cache..", "io.spillway.limit..", "io.spillway.shed..", "io.spillway.auth.."));
    check(noClasses().that().resideInAPackage("io.spillway.push..").should().dependOnClassesThat()
        .resideInAnyPackage("io.spillway.server..", "io.spillway.api..", "io.spillway.data..",
            "io.spillway.outbox..", "io.spillway.cache..", "io.spillway.limit..", "io.spillway.shed.."));
  }

  @Test
  void onlyTheWiringKnowsTheServer() {
    check(noClasses().that().resideOutsideOfPackage("io.spillway.server..")
        .and().doNotHaveFullyQualifiedName("io.spillway.Spillway")
        .should().dependOnClassesThat().resideInAPackage("io.spillway.server.."));
  }

  private static final String[] PACKAGES = {"web", "config", "events", "redis", "observe", "data", "cache",
      "outbox", "feed", "push", "auth", "limit", "shed", "api", "server", "reshard"};

  /** Every Spillway package but {@code own} (and the entry point's). */
  private static String[] others(String own) {
    return except(own);
  }

  /** Every Spillway package except {@code allowed}, as ArchUnit package patterns. */
  private static String[] except(String... allowed) {
    java.util.List<String> out = new java.util.ArrayList<>();
    out.add("io.spillway");
    for (String p : PACKAGES) {
      if (!java.util.Arrays.asList(allowed).contains(p)) {
        out.add("io.spillway." + p + "..");
      }
    }
    return out.toArray(new String[0]);
  }
}
