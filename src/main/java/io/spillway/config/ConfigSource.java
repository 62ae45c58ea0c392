package io.spillway.config;

import io.vertx.core.json.DecodeException;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * Builds the effective configuration tree: the shipped defaults ({@code defaults.json} on the classpath, the
 * one place a default is written down), then a config file, then environment variables.
 *
 * <p>Layers merge key by key: an object in an upper layer merges into the one below, any other value (arrays
 * included) replaces it, and a null leaves the value below in place. The records read every key from the
 * merged tree, so a key that {@code defaults.json} does not define fails loudly instead of quietly taking a
 * value from somewhere else.
 *
 * <p>The entries of a list ({@code data.shards}, {@code limits.policies}, ...) get their defaults from
 * {@code defaults.json}'s {@code listItemDefaults}, keyed by the list's path with {@code []} per list level
 * ({@code limits.policies[].routes[]}); {@link ConfigReader#children} applies them as it reads each entry.
 *
 * <p>Every key in the tree can be overridden by an environment variable named {@code SPILLWAY_} followed by
 * the key path in upper snake case: {@code http.port} is {@code SPILLWAY_HTTP_PORT}, {@code
 * http.maxBodyBytes} is {@code SPILLWAY_HTTP_MAX_BODY_BYTES}. Arrays (such as {@code data.shards}) are given
 * whole as JSON; an object given as JSON replaces the file's, over the shipped defaults of that object.
 */
public final class ConfigSource {
  public static final String ENV_PREFIX = "SPILLWAY";
  /** The top-level key of {@code defaults.json} holding the defaults of list entries; not a setting. */
  static final String LIST_ITEM_DEFAULTS = "listItemDefaults";

  private ConfigSource() {}

  /** Read once: the file does not change while the process runs. */
  private static final class Shipped {
    static final JsonObject FILE = read();

    private static JsonObject read() {
      try (InputStream in = ConfigSource.class.getResourceAsStream("/defaults.json")) {
        if (in == null) {
          throw new IllegalStateException("defaults.json is missing from the classpath");
        }
        return new JsonObject(new String(in.readAllBytes(), StandardCharsets.UTF_8));
      } catch (IOException e) {
        throw new IllegalStateException("cannot read defaults.json", e);
      }
    }
  }

  /** Defaults merged with {@code file} (when not null) and then with {@code env}. */
  public static JsonObject load(Path file, Map<String, String> env) {
    JsonObject tree = defaults();
    if (file != null) {
      tree = merge(tree, readFile(file));
    }
    applyEnv(tree, "", env);
    return tree;
  }

  /** The shipped defaults: every setting and its value (a fresh copy the caller may change). */
  public static JsonObject defaults() {
    JsonObject tree = Shipped.FILE.copy();
    tree.remove(LIST_ITEM_DEFAULTS);
    return tree;
  }

  /** The defaults of one entry of the list at {@code itemPath} (e.g. {@code shed.routes[]}), or an empty object. */
  static JsonObject listItemDefaults(String itemPath) {
    JsonObject all = Shipped.FILE.getJsonObject(LIST_ITEM_DEFAULTS);
    JsonObject item = all == null ? null : all.getJsonObject(itemPath);
    return item == null ? new JsonObject() : item.copy();
  }

  /**
   * {@code upper} over {@code lower}, as the layers merge: objects key by key, other values (arrays too)
   * replace, a null in {@code upper} keeps the value of {@code lower}. Neither argument is changed.
   */
  public static JsonObject merge(JsonObject lower, JsonObject upper) {
    JsonObject out = lower == null ? new JsonObject() : lower.copy();
    if (upper == null) {
      return out;
    }
    for (String name : upper.fieldNames()) {
      Object value = upper.getValue(name);
      if (value == null) {
        continue;
      }
      Object below = out.getValue(name);
      if (value instanceof JsonObject o && below instanceof JsonObject b) {
        out.put(name, merge(b, o));
      } else {
        out.put(name, value instanceof JsonObject o ? o.copy() : value instanceof JsonArray a ? a.copy() : value);
      }
    }
    return out;
  }

  public static JsonObject readFile(Path file) {
    String text;
    try {
      text = Files.readString(file);
    } catch (IOException e) {
      throw new ConfigException("cannot read config file " + file + ": " + e.getMessage(), e);
    }
    try {
      return new JsonObject(text);
    } catch (DecodeException e) {
      throw new ConfigException("config file " + file + " is not a JSON object" + where(e));
    }
  }

  /** The environment variable that overrides {@code key} (a dotted path). */
  public static String envName(String key) {
    StringBuilder sb = new StringBuilder(ENV_PREFIX);
    for (String segment : key.split("\\.")) {
      sb.append('_');
      for (int i = 0; i < segment.length(); i++) {
        char c = segment.charAt(i);
        if (Character.isUpperCase(c) && i > 0) {
          sb.append('_');
        }
        sb.append(Character.toUpperCase(c));
      }
    }
    return sb.toString();
  }

  private static void applyEnv(JsonObject node, String path, Map<String, String> env) {
    for (String name : node.fieldNames()) {
      String key = path.isEmpty() ? name : path + "." + name;
      Object current = node.getValue(name);
      String value = env.get(envName(key));
      if (value != null) {
        node.put(name, parseEnv(key, current, value));
      } else if (current instanceof JsonObject child) {
        applyEnv(child, key, env);
      }
    }
  }

  /**
   * Reads one variable as the type of the value it overrides. A value that does not parse is reported by the
   * variable's name and what was expected; the value itself only when it is a plain number or boolean of a
   * key that is not a secret (JSON may hold passwords, and so may a mistyped secret), and without the
   * parser's cause, whose message quotes the input.
   */
  private static Object parseEnv(String key, Object current, String raw) {
    String var = envName(key);
    boolean showable = !Secrets.isSecretKey(key) && raw.length() <= 100;
    String shown = showable ? "'" + raw + "' " : "the value ";
    try {
      if (current instanceof String) {
        return raw;
      }
      if (current instanceof Boolean) {
        if (!raw.equals("true") && !raw.equals("false")) {
          throw new ConfigException(var + " (" + key + "): " + shown + "is not a boolean; allowed: true, false");
        }
        return Boolean.parseBoolean(raw);
      }
      if (current instanceof Integer || current instanceof Long) {
        return Long.parseLong(raw.trim());
      }
      if (current instanceof Number) {
        return Double.parseDouble(raw.trim());
      }
      if (current instanceof JsonObject) {
        return merge(shippedObject(key), new JsonObject(raw));
      }
      if (current instanceof JsonArray) {
        return new JsonArray(raw);
      }
      // null default: accept any JSON scalar, else the raw string.
      try {
        Object v = Json.decodeValue(raw);
        return v == null ? raw : v;
      } catch (DecodeException e) {
        return raw;
      }
    } catch (NumberFormatException e) {
      throw new ConfigException(var + " (" + key + "): " + shown + "is not a valid number");
    } catch (DecodeException | ClassCastException e) {
      throw new ConfigException(var + " (" + key + "): the value (not shown: it may hold secrets) is not a valid JSON "
          + (current instanceof JsonObject ? "object" : "array") + where(e));
    }
  }

  /** Where the JSON parser stopped ({@code line 1, column 17}), from its message, which otherwise quotes the input. */
  private static String where(Exception e) {
    java.util.regex.Matcher m = java.util.regex.Pattern.compile("line: (\\d+), column: (\\d+)")
        .matcher(String.valueOf(e.getMessage()));
    return m.find() ? " (at line " + m.group(1) + ", column " + m.group(2) + ")" : "";
  }

  /** The shipped object at {@code key}, or null when the defaults have none there. */
  private static JsonObject shippedObject(String key) {
    Object node = Shipped.FILE;
    for (String segment : key.split("\\.")) {
      node = node instanceof JsonObject o ? o.getValue(segment) : null;
    }
    return node instanceof JsonObject o ? o : null;
  }
}
