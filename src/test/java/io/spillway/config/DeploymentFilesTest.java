package io.spillway.config;

import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The files users deploy with ({@code docker/compose.yml}, {@code docker/k8s/}, the Dockerfile) cannot be run
 * here, so they are read as the tools would read them: every service, file, port and variable is checked
 * against what exists in the repository and against the configuration the nodes would start with.
 */
class DeploymentFilesTest {
  private static final Path DOCKER = Path.of("docker");
  private static final String SECRET = "a-deployment-secret-that-is-long-enough-0123";
  private static final Pattern VAR = Pattern.compile("\\$\\{([A-Z0-9_]+)(:\\?[^}]*)?}");
  /** Official images only (Docker Official Images and the projects' own organisations). */
  private static final Set<String> PUBLISHERS = Set.of("postgres", "redis", "apache/kafka", "haproxy",
      "otel/opentelemetry-collector", "prom/prometheus", "grafana/grafana");

  @SuppressWarnings("unchecked")
  private static Map<String, Object> yaml(Path file) throws IOException {
    return (Map<String, Object>) new Yaml().load(Files.readString(file));
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> map(Object o) {
    return o == null ? Map.of() : (Map<String, Object>) o;
  }

  @SuppressWarnings("unchecked")
  private static List<Object> list(Object o) {
    return o == null ? List.of() : (List<Object>) o;
  }

  private static Map<String, Object> services() throws IOException {
    return map(yaml(DOCKER.resolve("compose.yml")).get("services"));
  }

  private static Map<String, String> env(Object environment) {
    Map<String, String> out = new LinkedHashMap<>();
    map(environment).forEach((k, v) -> out.put(k, String.valueOf(v)));
    return out;
  }

  /** Compose's interpolation: ${VAR} and ${VAR:?message} take the given value. */
  private static Map<String, String> interpolate(Map<String, String> env, Map<String, String> given) {
    Map<String, String> out = new HashMap<>();
    env.forEach((k, v) -> {
      Matcher m = VAR.matcher(v);
      StringBuilder sb = new StringBuilder();
      while (m.find()) {
        assertTrue(given.containsKey(m.group(1)), k + " uses ${" + m.group(1) + "}, which the test does not set");
        m.appendReplacement(sb, Matcher.quoteReplacement(given.get(m.group(1))));
      }
      m.appendTail(sb);
      out.put(k, sb.toString());
    });
    return out;
  }

  private static List<String> spillwayNodes(Map<String, Object> services) {
    return services.keySet().stream().filter(s -> s.startsWith("spillway-")).sorted().toList();
  }

  @Test
  void composeUsesOfficialImagesAndFilesThatExist() throws IOException {
    Map<String, Object> services = services();
    List<String> problems = new ArrayList<>();
    services.forEach((name, def) -> {
      Map<String, Object> s = map(def);
      Object image = s.get("image");
      if (s.containsKey("build")) {
        Map<String, Object> build = map(s.get("build"));
        Path dockerfile = DOCKER.resolve(String.valueOf(build.get("context"))).resolve(String.valueOf(build.get("dockerfile")));
        if (!Files.isRegularFile(dockerfile.normalize())) {
          problems.add(name + ": no Dockerfile at " + dockerfile);
        }
      } else if (image == null || PUBLISHERS.stream().noneMatch(p -> String.valueOf(image).startsWith(p + ":"))) {
        problems.add(name + ": image " + image + " is not an official image with a pinned tag");
      }
      for (Object volume : list(s.get("volumes"))) {
        String source = String.valueOf(volume).split(":")[0];
        if (source.startsWith("./") && !Files.exists(DOCKER.resolve(source))) {
          problems.add(name + ": mounts " + source + ", which does not exist");
        }
      }
      Object dependsOn = s.get("depends_on");
      Iterable<?> deps = dependsOn instanceof Map<?, ?> m ? m.keySet() : list(dependsOn);
      for (Object dep : deps) {
        if (!services.containsKey(String.valueOf(dep))) {
          problems.add(name + ": depends on unknown service " + dep);
        }
      }
    });
    assertTrue(problems.isEmpty(), String.join("\n", problems));
  }

  @Test
  void composePublishesOnlyTheBalancerAndTheDashboards() throws IOException {
    Map<String, Object> services = services();
    Map<String, List<Object>> published = new HashMap<>();
    services.forEach((name, def) -> {
      List<Object> ports = list(map(def).get("ports"));
      if (!ports.isEmpty()) {
        published.put(name, ports);
      }
    });
    assertEquals(Set.of("lb", "prometheus", "grafana"), published.keySet(), "published ports: " + published);
    assertEquals(List.of("8080:8080"), published.get("lb"));
  }

  @Test
  void composeNodesStartOnlyOnceTheirDependenciesAreHealthy() throws IOException {
    Map<String, Object> services = services();
    List<String> nodes = spillwayNodes(services);
    assertTrue(nodes.size() >= 2, "at least two nodes behind the balancer");
    for (String node : nodes) {
      Map<String, Object> deps = map(map(services.get(node)).get("depends_on"));
      for (String dep : List.of("pg0", "pg1", "kafka")) {
        assertEquals("service_healthy", map(deps.get(dep)).get("condition"), node + " waits for a healthy " + dep);
        assertNotNull(map(services.get(dep)).get("healthcheck"), dep + " has a health check");
      }
    }
    String haproxy = Files.readString(DOCKER.resolve("haproxy.cfg"));
    assertTrue(haproxy.contains("option httpchk GET /health/ready"), "the balancer asks readiness");
    for (String node : nodes) {
      assertTrue(haproxy.contains("server " + node + " " + node + ":8080 check"), "the balancer sends traffic to " + node);
    }
  }

  @Test
  void composeReplicaStreamsFromThePrimaryItIsConfiguredFor() throws IOException {
    Map<String, Object> services = services();
    Map<String, Object> replica = map(services.get("pg0-replica"));
    assertEquals("pg0", env(replica.get("environment")).get("PRIMARY_HOST"));
    String entrypoint = Files.readString(DOCKER.resolve("postgres/replica-entrypoint.sh"));
    assertTrue(entrypoint.contains("pg_basebackup") && entrypoint.contains(" -R "), "cloned with primary_conninfo written");
    String init = Files.readString(DOCKER.resolve("postgres/primary-init.sh"));
    assertTrue(init.contains("REPLICATION") && init.contains("host replication replicator"),
        "the primary lets the replication role connect");
    String shards = env(map(services.get("spillway-1")).get("environment")).get("SPILLWAY_DATA_SHARDS");
    assertTrue(shards.contains("\"replicas\":[{\"host\":\"pg0-replica\"}]"), "the nodes read from the replica");
  }

  @Test
  void composeNodeEnvironmentIsAValidProductionConfig() throws IOException {
    Map<String, Object> node = map(services().get("spillway-1"));
    Map<String, String> given = Map.of("SPILLWAY_JWT_SECRET", SECRET, "SPILLWAY_ADMIN_TOKEN", SECRET,
        "SPILLWAY_DB_PASSWORD", "db-password", "SPILLWAY_REPLICATION_PASSWORD", "replication-password");
    Map<String, String> env = interpolate(env(node.get("environment")), given);
    AppConfig config = AppConfig.load(Path.of("conf", "prod.json"), env);
    assertEquals("prod", config.mode());
    assertEquals(2, config.data().shards().size());
    assertEquals("kafka:9092", config.kafka().bootstrapServers());
    assertFalse(config.observe().otlpEndpoint().isBlank(), "spans go to the collector");
    assertTrue(String.valueOf(node.get("environment")).contains("${SPILLWAY_JWT_SECRET:?"),
        "compose refuses to start without a JWT secret");
  }

  @Test
  void everyComposeImageVariableIsAKnownSetting() throws IOException {
    Set<String> known = settingNames();
    Map<String, String> env = env(map(services().get("spillway-1")).get("environment"));
    List<String> unknown = env.keySet().stream().filter(k -> k.startsWith("SPILLWAY_") && !known.contains(k)).toList();
    assertTrue(unknown.isEmpty(), "variables no setting reads: " + unknown);
  }

  private static Map<String, Map<String, Object>> k8s() throws IOException {
    Map<String, Map<String, Object>> byKind = new HashMap<>();
    try (Stream<Path> files = Files.list(DOCKER.resolve("k8s"))) {
      for (Path f : files.filter(p -> p.toString().endsWith(".yaml")).sorted().toList()) {
        Map<String, Object> doc = yaml(f);
        assertNotNull(doc.get("apiVersion"), f + " has an apiVersion");
        assertNull(byKind.put(String.valueOf(doc.get("kind")), doc), "one " + doc.get("kind") + " manifest");
      }
    }
    return byKind;
  }

  @Test
  void kubernetesManifestsFitTogether() throws IOException {
    Map<String, Map<String, Object>> k = k8s();
    assertEquals(Set.of("Deployment", "Service", "PodDisruptionBudget", "HorizontalPodAutoscaler", "ConfigMap", "Secret"),
        k.keySet());
    Map<String, Object> deploymentSpec = map(k.get("Deployment").get("spec"));
    Map<String, Object> labels = map(map(map(deploymentSpec.get("template")).get("metadata")).get("labels"));
    assertEquals(map(deploymentSpec.get("selector")).get("matchLabels"), labels);
    assertEquals(labels, map(k.get("Service").get("spec")).get("selector"), "the Service selects the pods");
    assertEquals(labels, map(map(k.get("PodDisruptionBudget").get("spec")).get("selector")).get("matchLabels"));
    Map<String, Object> target = map(map(k.get("HorizontalPodAutoscaler").get("spec")).get("scaleTargetRef"));
    assertEquals("Deployment", target.get("kind"));
    assertEquals(map(k.get("Deployment").get("metadata")).get("name"), target.get("name"));
    List<String> metricTypes = list(map(k.get("HorizontalPodAutoscaler").get("spec")).get("metrics")).stream()
        .map(m -> String.valueOf(map(m).get("type"))).toList();
    assertEquals(List.of("Resource", "Pods"), metricTypes, "scales on CPU and on requests in flight");
  }

  @Test
  void podsProbeHealthAndDrainWithinTheirGracePeriod() throws IOException {
    Map<String, Object> pod = map(map(map(k8s().get("Deployment").get("spec")).get("template")).get("spec"));
    Map<String, Object> container = map(list(pod.get("containers")).get(0));
    assertAll(
        () -> assertEquals("/health/ready", map(map(container.get("readinessProbe")).get("httpGet")).get("path")),
        () -> assertEquals("/health/live", map(map(container.get("livenessProbe")).get("httpGet")).get("path")));
    List<Object> preStop = list(map(map(map(container.get("lifecycle")).get("preStop")).get("exec")).get("command"));
    assertEquals("sleep", preStop.get(0));
    long preStopMs = Long.parseLong(String.valueOf(preStop.get(1))) * 1000;
    AppConfig config = AppConfig.load(Path.of("conf", "prod.json"), k8sEnv());
    long needMs = preStopMs + config.shutdownDrainDelayMs() + config.shutdownTimeoutMs();
    long graceMs = ((Number) pod.get("terminationGracePeriodSeconds")).longValue() * 1000;
    assertTrue(graceMs > needMs, "grace " + graceMs + " ms must cover preStop + drain + in-flight (" + needMs + " ms)");
  }

  /** The ConfigMap and the Secret as the pod's environment, with the Secret filled in as its comment says. */
  private static Map<String, String> k8sEnv() throws IOException {
    Map<String, Map<String, Object>> k = k8s();
    Map<String, String> env = new HashMap<>(env(k.get("ConfigMap").get("data")));
    Map<String, String> secret = env(k.get("Secret").get("stringData"));
    assertTrue(secret.values().stream().allMatch(String::isEmpty), "no sample secret is shipped: " + secret.keySet());
    secret.keySet().forEach(key -> env.put(key, SECRET));
    env.put("SPILLWAY_DATA_SHARDS", "[{\"host\":\"pg0\",\"database\":\"spillway\",\"user\":\"spillway\",\"password\":\"p\"}]");
    return env;
  }

  @Test
  void kubernetesEnvironmentIsAValidProductionConfigOnceTheSecretIsFilled() throws IOException {
    AppConfig config = AppConfig.load(Path.of("conf", "prod.json"), k8sEnv());
    assertEquals("0.0.0.0", config.management().host(), "Prometheus and the probes reach the management port");
    Set<String> known = settingNames();
    Set<String> unknown = k8sEnv().keySet().stream().filter(k -> !known.contains(k)).collect(Collectors.toSet());
    assertTrue(unknown.isEmpty(), "variables no setting reads: " + unknown);
  }

  @Test
  void theShippedSecretAsItStandsIsRefused() throws IOException {
    Map<String, String> env = new HashMap<>(env(k8s().get("ConfigMap").get("data")));
    env.putAll(env(k8s().get("Secret").get("stringData")));
    env.remove("SPILLWAY_DATA_SHARDS");
    assertThrows(ConfigException.class, () -> AppConfig.load(Path.of("conf", "prod.json"), env));
  }

  @Test
  void theImageIsBuiltFromFilesTheBuildContextKeeps() throws IOException {
    List<String> ignored = Files.readAllLines(Path.of(".dockerignore")).stream()
        .map(String::trim).filter(l -> !l.isEmpty() && !l.startsWith("#")).toList();
    Pattern copy = Pattern.compile("^COPY (?!--from)(\\S+) ", Pattern.MULTILINE);
    Matcher m = copy.matcher(Files.readString(DOCKER.resolve("Dockerfile")));
    List<String> sources = new ArrayList<>();
    while (m.find()) {
      sources.add(m.group(1).replaceAll("^\\./", "").replaceAll("/$", ""));
    }
    assertFalse(sources.isEmpty());
    for (String source : sources) {
      assertTrue(Files.exists(Path.of(source)), "the Dockerfile copies " + source + ", which exists");
      assertFalse(ignored.contains(source), ".dockerignore keeps " + source + " in the build context");
    }
  }

  /** Every environment variable a setting reads ({@code SPILLWAY_} + its key path). */
  private static Set<String> settingNames() {
    Set<String> names = new HashSet<>();
    collect(ConfigSource.defaults(), "", names);
    return names;
  }

  private static void collect(io.vertx.core.json.JsonObject tree, String prefix, Set<String> out) {
    for (String key : tree.fieldNames()) {
      String path = prefix.isEmpty() ? key : prefix + "." + key;
      out.add(ConfigSource.envName(path));
      if (tree.getValue(key) instanceof io.vertx.core.json.JsonObject child) {
        collect(child, path, out);
      }
    }
  }
}
