package io.spillway.config;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.function.Function;

/**
 * Reads typed values from one object of the config tree and validates them. Every failure names the full
 * key and what would have been accepted, so a bad value stops the start with a message an operator can act on.
 */
public final class ConfigReader {
  private final JsonObject node;
  private final String path;

  public ConfigReader(JsonObject node, String path) {
    this.node = node == null ? new JsonObject() : node;
    this.path = path;
  }

  public String key(String name) {
    return path.isEmpty() ? name : path + "." + name;
  }

  public boolean has(String name) {
    return node.getValue(name) != null;
  }

  public ConfigReader child(String name) {
    Object v = node.getValue(name);
    if (v != null && !(v instanceof JsonObject)) {
      throw new ConfigException(key(name) + ": must be an object");
    }
    return new ConfigReader((JsonObject) v, key(name));
  }

  public List<ConfigReader> children(String name) {
    Object v = node.getValue(name);
    if (v == null) {
      return List.of();
    }
    if (!(v instanceof JsonArray array)) {
      throw new ConfigException(key(name) + ": must be an array");
    }
    List<ConfigReader> out = new ArrayList<>();
    for (int i = 0; i < array.size(); i++) {
      Object item = array.getValue(i);
      if (!(item instanceof JsonObject o)) {
        throw new ConfigException(key(name) + "[" + i + "]: must be an object");
      }
      out.add(new ConfigReader(o, key(name) + "[" + i + "]"));
    }
    return out;
  }

  public JsonObject raw() {
    return node;
  }

  public String string(String name, String def) {
    Object v = node.getValue(name);
    if (v == null) {
      return def;
    }
    if (!(v instanceof String s)) {
      throw new ConfigException(key(name) + ": must be a string, got " + v);
    }
    return s;
  }

  public String requiredString(String name) {
    String s = string(name, null);
    if (s == null || s.isBlank()) {
      throw new ConfigException(key(name) + ": is required");
    }
    return s;
  }

  public List<String> strings(String name) {
    Object v = node.getValue(name);
    if (v == null) {
      return List.of();
    }
    if (v instanceof String s) {
      return s.isBlank() ? List.of() : Arrays.stream(s.split(",")).map(String::trim).toList();
    }
    if (!(v instanceof JsonArray a)) {
      throw new ConfigException(key(name) + ": must be an array of strings");
    }
    List<String> out = new ArrayList<>();
    for (Object o : a) {
      if (!(o instanceof String s)) {
        throw new ConfigException(key(name) + ": must be an array of strings, got " + o);
      }
      out.add(s);
    }
    return List.copyOf(out);
  }

  public String oneOf(String name, String def, Set<String> allowed) {
    String s = string(name, def);
    if (!allowed.contains(s)) {
      throw new ConfigException(key(name) + ": '" + s + "' is not allowed; allowed values: "
          + String.join(", ", allowed.stream().sorted().toList()));
    }
    return s;
  }

  public boolean bool(String name, boolean def) {
    Object v = node.getValue(name);
    if (v == null) {
      return def;
    }
    if (!(v instanceof Boolean b)) {
      throw new ConfigException(key(name) + ": must be true or false, got " + v);
    }
    return b;
  }

  public int integer(String name, int def, int min, int max) {
    return (int) number(name, def, min, max);
  }

  public long number(String name, long def, long min, long max) {
    Object v = node.getValue(name);
    long n;
    if (v == null) {
      n = def;
    } else if (v instanceof Number num && num.doubleValue() == Math.rint(num.doubleValue())) {
      n = num.longValue();
    } else {
      throw new ConfigException(key(name) + ": must be an integer in " + min + ".." + max + ", got " + v);
    }
    if (n < min || n > max) {
      throw new ConfigException(key(name) + ": " + n + " is out of range; allowed: " + min + ".." + max);
    }
    return n;
  }

  public double decimal(String name, double def, double min, double max) {
    Object v = node.getValue(name);
    double d;
    if (v == null) {
      d = def;
    } else if (v instanceof Number num) {
      d = num.doubleValue();
    } else {
      throw new ConfigException(key(name) + ": must be a number in " + min + ".." + max + ", got " + v);
    }
    if (!(d >= min && d <= max)) {
      throw new ConfigException(key(name) + ": " + d + " is out of range; allowed: " + min + ".." + max);
    }
    return d;
  }

  public <T> List<T> list(String name, Function<ConfigReader, T> parse) {
    return children(name).stream().map(parse).toList();
  }
}
