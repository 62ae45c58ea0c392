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
 * Builds the effective configuration tree: built-in defaults ({@code defaults.json} on the classpath), then
 * a config file, then environment variables.
 *
 * <p>Every key in the tree can be overridden by an environment variable named {@code SPILLWAY_} followed by
 * the key path in upper snake case: {@code http.port} is {@code SPILLWAY_HTTP_PORT}, {@code
 * http.maxBodyBytes} is {@code SPILLWAY_HTTP_MAX_BODY_BYTES}. Objects and arrays (such as {@code
 * data.shards}) are overridden whole with a JSON value.
 */
public final class ConfigSource {
  public static final String ENV_PREFIX = "SPILLWAY";

  private ConfigSource() {}

  /** Defaults merged with {@code file} (when not null) and then with {@code env}. */
  public static JsonObject load(Path file, Map<String, String> env) {
    JsonObject tree = defaults();
    if (file != null) {
      tree.mergeIn(readFile(file), true);
    }
    applyEnv(tree, ENV_PREFIX, "", env);
    return tree;
  }

  public static JsonObject defaults() {
    try (InputStream in = ConfigSource.class.getResourceAsStream("/defaults.json")) {
      if (in == null) {
        throw new IllegalStateException("defaults.json is missing from the classpath");
      }
      return new JsonObject(new String(in.readAllBytes(), StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new IllegalStateException("cannot read defaults.json", e);
    }
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
      throw new ConfigException("config file " + file + " is not a JSON object: " + e.getMessage(), e);
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

  private static void applyEnv(JsonObject node, String prefix, String path, Map<String, String> env) {
    for (String name : node.fieldNames()) {
      String key = path.isEmpty() ? name : path + "." + name;
      Object current = node.getValue(name);
      String value = env.get(envName(key));
      if (value != null) {
        node.put(name, parseEnv(key, current, value));
      } else if (current instanceof JsonObject child) {
        applyEnv(child, prefix, key, env);
      }
    }
  }

  private static Object parseEnv(String key, Object current, String raw) {
    String var = envName(key);
    try {
      if (current instanceof String) {
        return raw;
      }
      if (current instanceof Boolean) {
        if (!raw.equals("true") && !raw.equals("false")) {
          throw new ConfigException(var + " (" + key + "): '" + raw + "' is not a boolean; allowed: true, false");
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
        return new JsonObject(raw);
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
    } catch (NumberFormatException | DecodeException | ClassCastException e) {
      throw new ConfigException(var + " (" + key + "): '" + raw + "' is not a valid "
          + (current instanceof Number ? "number" : "JSON value"), e);
    }
  }
}
