package io.spillway.config;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The repository's sample secrets are exactly the ones a production node refuses: every JWT secret or admin
 * token written in a config file, the compose file, a script or the docs is in {@link Secrets#SAMPLES}, and the
 * compose file takes its secrets from the environment without a fallback.
 */
class SampleSecretsTest {
  /** {@code "secret": "..."}, {@code SPILLWAY_JWT_SECRET=...}, {@code SPILLWAY_MANAGEMENT_ADMIN_TOKEN: ...}. */
  private static final Pattern ASSIGNED = Pattern.compile(
      "(?:\"(?:secret|adminToken)\"\\s*:\\s*\"|SPILLWAY_(?:JWT_SECRET|MANAGEMENT_ADMIN_TOKEN|ADMIN_TOKEN)[=:]\\s*\"?)"
          + "([^\"\\s$.][^\"\\s]{7,})");

  @Test
  void everySecretWrittenInTheRepositoryIsASampleTheServerRefuses() throws IOException {
    List<String> found = new ArrayList<>();
    List<String> unknown = new ArrayList<>();
    for (Path file : files()) {
      Matcher m = ASSIGNED.matcher(Files.readString(file));
      while (m.find()) {
        found.add(m.group(1));
        if (!Secrets.SAMPLES.contains(m.group(1))) {
          unknown.add(file + ": " + m.group(1));
        }
      }
    }
    assertEquals(List.of(), unknown, "secrets in the repository that a production node would accept");
    assertTrue(found.contains(JwtConfig.SAMPLE_SECRET), "the scan finds conf/config.json's sample secret: " + found);
  }

  @Test
  void composeRequiresTheSecretsFromTheEnvironment() throws IOException {
    String compose = Files.readString(Path.of("docker", "compose.yml"));
    assertTrue(compose.contains("SPILLWAY_JWT_SECRET: ${SPILLWAY_JWT_SECRET:?"), compose);
    assertTrue(compose.contains("SPILLWAY_MANAGEMENT_ADMIN_TOKEN: ${SPILLWAY_ADMIN_TOKEN:?"), compose);
    assertFalse(compose.contains(":-"), "no variable of the compose file falls back to a value written in it");
  }

  private static List<Path> files() throws IOException {
    List<Path> out = new ArrayList<>(List.of(Path.of("README.md")));
    for (String dir : new String[] {"conf", "docker", "docs", "k6", "bench", "src/main/resources"}) {
      try (Stream<Path> walk = Files.walk(Path.of(dir))) {
        walk.filter(Files::isRegularFile)
            .filter(f -> f.toString().matches(".*\\.(json|ya?ml|md|sh|js|lua|conf|html|properties)$"))
            .forEach(out::add);
      }
    }
    return out;
  }
}
