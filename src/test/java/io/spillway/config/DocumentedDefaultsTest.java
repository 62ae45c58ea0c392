package io.spillway.config;

import io.vertx.core.json.DecodeException;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The docs state the defaults that ship. {@code defaults.json} is the one place a default is written down;
 * README.md and docs/*.md repeat them in tables, and this test holds the two together.
 *
 * <p>A defaults table is a Markdown table with a {@code key} and a {@code default} column. Its key cell holds
 * one full key in backticks ({@code `http.port`}, {@code `limits.policies[].key`} for a key of every entry of
 * a list). Its default cell starts with the value in backticks ({@code `8080`}, {@code `prod`}, {@code `[]`},
 * {@code `""`}), read as JSON when it parses as JSON and as a string otherwise; it may go on with words. A
 * cell that starts with words describes the default instead, which only fits a default that is a rule
 * ({@code null} in {@code defaults.json}), a list or object too long to repeat, or a key that has no default
 * ("required ..."). Prose of the form {@code `key`, default 30} or {@code `key` (default 30)} is checked too.
 */
class DocumentedDefaultsTest {
  private static final Pattern CODE = Pattern.compile("`([^`]+)`");
  private static final Pattern KEY = Pattern.compile("[a-z][A-Za-z0-9]*(\\.[a-z][A-Za-z0-9]*|\\[])*");
  private static final Pattern PROSE = Pattern.compile("`([a-z][A-Za-z0-9.\\[\\]]*)`(?:,| \\() ?default (?:is )?`?([0-9][0-9,.]*[0-9]|[0-9]|on|off|true|false)`?");
  private static final Pattern NUMBER = Pattern.compile("\\d[\\d,]*(\\.\\d+)?");

  private record Cell(Path file, int line, String key, String text) {
    String where() {
      return file + ":" + line + " (" + key + ")";
    }
  }

  private static JsonObject shipped;
  /** Every key of the defaults that a table must document, with its value; list entries as {@code list[].key}. */
  private static Map<String, Object> keys;
  private static List<Path> docs;
  private static List<Cell> documented;

  @BeforeAll
  static void read() throws IOException {
    shipped = new JsonObject(Files.readString(Path.of("src", "main", "resources", "defaults.json")));
    keys = new LinkedHashMap<>();
    for (String name : shipped.fieldNames()) {
      if (name.equals(ConfigSource.LIST_ITEM_DEFAULTS)) {
        JsonObject items = shipped.getJsonObject(name);
        for (String list : items.fieldNames()) {
          flatten(list, items.getJsonObject(list), keys);
        }
      } else {
        flatten(name, shipped.getValue(name), keys);
      }
    }
    docs = new ArrayList<>(List.of(Path.of("README.md")));
    try (Stream<Path> files = Files.list(Path.of("docs"))) {
      files.filter(f -> f.toString().endsWith(".md")).sorted().forEach(docs::add);
    }
    documented = new ArrayList<>();
    for (Path doc : docs) {
      documented.addAll(defaultCells(doc));
    }
  }

  @Test
  void everyDocumentedDefaultIsTheShippedOne() {
    List<String> wrong = new ArrayList<>();
    for (Cell cell : documented) {
      String problem = problem(cell);
      if (problem != null) {
        wrong.add(cell.where() + ": " + problem);
      }
    }
    assertEquals(List.of(), wrong, "docs that disagree with defaults.json");
  }

  @Test
  void everyKeyOfTheDefaultsIsDocumented() {
    Set<String> missing = new TreeSet<>(keys.keySet());
    documented.forEach(c -> missing.remove(c.key()));
    assertEquals(Set.of(), missing, "keys of defaults.json no defaults table of README.md or docs/ lists");
  }

  @Test
  void defaultsInProseAreTheShippedOnes() throws IOException {
    List<String> wrong = new ArrayList<>();
    int seen = 0;
    for (Path doc : docs) {
      // Sentences wrap: "`auth.apiKeyCacheSeconds`" may end one line and "(default 30)" start the next.
      Matcher m = PROSE.matcher(String.join(" ", Files.readAllLines(doc)));
      while (m.find()) {
        if (!keys.containsKey(m.group(1))) {
          continue;
        }
        seen++;
        String text = m.group(2).replace(",", "");
        Object stated = text.equals("on") ? Boolean.TRUE : text.equals("off") ? Boolean.FALSE : Json.decodeValue(text);
        if (!same(stated, keys.get(m.group(1)))) {
          wrong.add(doc + ": `" + m.group(1) + "` default " + m.group(2) + ", but defaults.json has "
              + keys.get(m.group(1)));
        }
      }
    }
    assertEquals(List.of(), wrong);
    assertTrue(seen > 0, "the pattern finds the prose it is meant to check");
  }

  /** README's table of the shipped policies: every policy is in it, and every number it states is the policy's. */
  @Test
  void theShippedPoliciesTableStatesTheirNumbers() throws IOException {
    Map<String, JsonObject> policies = new LinkedHashMap<>();
    for (Object p : shipped.getJsonObject("limits").getJsonArray("policies")) {
      policies.put(((JsonObject) p).getString("name"), (JsonObject) p);
    }
    Set<String> described = new TreeSet<>();
    List<String> wrong = new ArrayList<>();
    for (List<String> row : rows(Path.of("README.md"), "policy")) {
      List<String> names = codeSpans(row.get(0));
      Set<BigDecimal> numbers = new TreeSet<>();
      for (String name : names) {
        assertTrue(policies.containsKey(name), "README names a policy that does not ship: " + name);
        described.add(name);
        numbers(policies.get(name), numbers);
      }
      String prose = CODE.matcher(String.join(" ", row.subList(1, row.size()))).replaceAll(" ");
      Matcher m = NUMBER.matcher(prose);
      while (m.find()) {
        BigDecimal n = new BigDecimal(m.group().replace(",", ""));
        if (!numbers.contains(n)) {
          wrong.add(names + " says " + m.group() + "; their numbers are " + numbers);
        }
      }
    }
    assertEquals(List.of(), wrong);
    assertEquals(policies.keySet(), described, "every shipped policy is in README's table");
  }

  @Test
  void theCheckCatchesAWrongDefault() {
    Cell wrong = new Cell(Path.of("x.md"), 1, "shed.initialLimit", "`100`");
    assertTrue(problem(wrong).contains("16"), problem(wrong));
    assertTrue(problem(new Cell(Path.of("x.md"), 1, "http.port", "the usual one")) != null);
    assertTrue(problem(new Cell(Path.of("x.md"), 1, "http.portt", "`8080`")) != null);
    assertEquals(null, problem(new Cell(Path.of("x.md"), 1, "http.instances", "one per core")));
    assertEquals(null, problem(new Cell(Path.of("x.md"), 1, "http.accessLog.sampleRate", "`0.01` (1%)")));
    assertFalse(keys.isEmpty());
  }

  /** Why the cell does not state the shipped default, or null when it does. */
  private static String problem(Cell cell) {
    if (!keys.containsKey(cell.key())) {
      boolean listEntryKey = cell.key().contains("[]");
      return listEntryKey && cell.text().startsWith("required") ? null
          : "is not a key of defaults.json" + (listEntryKey ? " (a list entry's key without a default says \"required\")" : "");
    }
    Object actual = keys.get(cell.key());
    if (!cell.text().startsWith("`")) {
      return actual == null || actual instanceof JsonArray || actual instanceof JsonObject ? null
          : "says '" + cell.text() + "' instead of the value, " + Json.encode(actual);
    }
    Matcher m = CODE.matcher(cell.text());
    if (!m.lookingAt()) {
      return "unclosed backtick";
    }
    Object doc;
    try {
      doc = Json.decodeValue(m.group(1));
    } catch (DecodeException e) {
      doc = m.group(1);
    }
    return same(doc, actual) ? null : "documents " + Json.encode(doc) + ", defaults.json has " + Json.encode(actual);
  }

  private static boolean same(Object doc, Object actual) {
    if (doc instanceof Number a && actual instanceof Number b) {
      return new BigDecimal(a.toString()).compareTo(new BigDecimal(b.toString())) == 0;
    }
    return Objects.equals(doc, actual);
  }

  /** Leaves: values that are not objects, and empty objects (maps whose keys are data, such as a cost map). */
  private static void flatten(String path, Object value, Map<String, Object> out) {
    if (value instanceof JsonObject o && !o.isEmpty()) {
      for (String name : o.fieldNames()) {
        flatten(path + "." + name, o.getValue(name), out);
      }
    } else {
      out.put(path, value);
    }
  }

  private static void numbers(Object value, Set<BigDecimal> out) {
    if (value instanceof Number n) {
      out.add(new BigDecimal(n.toString()));
    } else if (value instanceof String share && share.matches("[0-9.]+%")) {
      out.add(new BigDecimal(share.substring(0, share.length() - 1)));
    } else if (value instanceof JsonObject o) {
      o.forEach(e -> numbers(e.getValue(), out));
    } else if (value instanceof JsonArray a) {
      a.forEach(v -> numbers(v, out));
    }
  }

  private static List<Cell> defaultCells(Path doc) throws IOException {
    List<String> lines = Files.readAllLines(doc);
    List<Cell> out = new ArrayList<>();
    int i = 0;
    while (i < lines.size()) {
      if (!lines.get(i).startsWith("|")) {
        i++;
        continue;
      }
      List<String> header = cells(lines.get(i));
      int key = header.indexOf("key");
      int def = header.indexOf("default");
      int row = i + 2;
      for (i = row; i < lines.size() && lines.get(i).startsWith("|"); i++) {
        if (key < 0 || def < 0) {
          continue;
        }
        List<String> cells = cells(lines.get(i));
        List<String> spans = codeSpans(cells.get(key));
        String name = spans.isEmpty() ? "" : spans.get(0);
        assertTrue(KEY.matcher(name).matches(), doc + ":" + (i + 1) + ": a defaults table row names no key: "
            + lines.get(i));
        out.add(new Cell(doc, i + 1, name, cells.get(def)));
      }
    }
    return out;
  }

  /** The rows (cells) of the tables of {@code doc} whose first column is headed {@code first}. */
  private static List<List<String>> rows(Path doc, String first) throws IOException {
    List<String> lines = Files.readAllLines(doc);
    List<List<String>> out = new ArrayList<>();
    for (int i = 0; i < lines.size(); i++) {
      if (lines.get(i).startsWith("|") && (i == 0 || !lines.get(i - 1).startsWith("|"))
          && cells(lines.get(i)).get(0).equals(first)) {
        for (int j = i + 2; j < lines.size() && lines.get(j).startsWith("|"); j++) {
          out.add(cells(lines.get(j)));
        }
      }
    }
    assertFalse(out.isEmpty(), doc + " has no table headed '" + first + "'");
    return out;
  }

  private static List<String> cells(String line) {
    String inner = line.trim();
    inner = inner.substring(1, inner.endsWith("|") ? inner.length() - 1 : inner.length());
    List<String> out = new ArrayList<>();
    for (String cell : inner.split("\\|", -1)) {
      out.add(cell.trim());
    }
    return out;
  }

  private static List<String> codeSpans(String text) {
    List<String> out = new ArrayList<>();
    Matcher m = CODE.matcher(text);
    while (m.find()) {
      out.add(m.group(1));
    }
    return out;
  }
}
