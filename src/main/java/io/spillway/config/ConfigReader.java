package io.spillway.config;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * Reads typed values from one object of the merged config tree (see {@link ConfigSource}). It checks types
 * only; ranges and rules between keys are the records' own (their constructors), so they hold however a
 * record is built.
 *
 * <p>It has no defaults: a key with a default is always in the merged tree, and one that is not there is a
 * programming error ({@code defaults.json} lacks it), reported as an {@link IllegalStateException} naming
 * the key. Keys that have no default by design (a shard's {@code database}, a policy's {@code limit}) are
 * read with {@link #requiredString}, {@link #has} and the like. A wrong value is a {@link ConfigException}
 * naming the full key and what would have been accepted.
 */
public final class ConfigReader {
  private static final Pattern INDEX = Pattern.compile("\\[\\d+]");

  private final JsonObject node;
  private final String path;

  /** {@code node} is the object at {@code path} ({@code ""} for the root, {@code "limits"} for a section). */
  public ConfigReader(JsonObject node, String path) {
    this.node = node;
    this.path = path;
  }

  public String key(String name) {
    return path.isEmpty() ? name : path + "." + name;
  }

  /** True when {@code name} is set to something other than null. */
  public boolean has(String name) {
    return node.getValue(name) != null;
  }

  public ConfigReader child(String name) {
    Object v = value(name);
    if (!(v instanceof JsonObject o)) {
      throw new ConfigException(key(name), "must be an object");
    }
    return new ConfigReader(o, key(name));
  }

  /**
   * The entries of the list {@code name}, each over its defaults from {@code listItemDefaults} (null: no
   * entries).
   */
  public List<ConfigReader> children(String name) {
    Object v = value(name);
    if (v == null) {
      return List.of();
    }
    if (!(v instanceof JsonArray array)) {
      throw new ConfigException(key(name), "must be an array");
    }
    JsonObject defaults = ConfigSource.listItemDefaults(generic(key(name)) + "[]");
    List<ConfigReader> out = new ArrayList<>();
    for (int i = 0; i < array.size(); i++) {
      String item = key(name) + "[" + i + "]";
      if (!(array.getValue(i) instanceof JsonObject o)) {
        throw new ConfigException(item, "must be an object");
      }
      out.add(new ConfigReader(ConfigSource.merge(defaults, o), item));
    }
    return out;
  }

  /**
   * Parses every entry of the list {@code name}. A record's constructor names a key inside a list generically
   * ({@code limits.policies[].limit}); a problem reported so is moved to the entry it is about.
   */
  public <T> List<T> list(String name, Function<ConfigReader, T> parse) {
    List<T> out = new ArrayList<>();
    for (ConfigReader item : children(name)) {
      try {
        out.add(parse.apply(item));
      } catch (ConfigException e) {
        throw e.at(generic(item.path), item.path);
      }
    }
    return List.copyOf(out);
  }

  /** The object itself, for keys whose names are data ({@code cost}) or lists of numbers ({@code shardMap}). */
  JsonObject raw() {
    return node;
  }

  public String string(String name) {
    Object v = value(name);
    if (!(v instanceof String s)) {
      throw new ConfigException(key(name), "must be a string, got " + shown(name, v));
    }
    return s;
  }

  /** A string that may be null (the default is derived, see the record). */
  public String optionalString(String name) {
    return value(name) == null ? null : string(name);
  }

  /** A key without a default: absent, null or blank is "is required". */
  public String requiredString(String name) {
    Object v = node.getValue(name);
    if (v == null || (v instanceof String s && s.isBlank())) {
      throw new ConfigException(key(name), "is required");
    }
    return string(name);
  }

  /** A JSON array of strings, or one comma-separated string (handy in an environment variable); null: none. */
  public List<String> strings(String name) {
    Object v = value(name);
    if (v == null) {
      return List.of();
    }
    if (v instanceof String s) {
      return s.isBlank() ? List.of() : Arrays.stream(s.split(",")).map(String::trim).toList();
    }
    if (!(v instanceof JsonArray a)) {
      throw new ConfigException(key(name), "must be an array of strings");
    }
    List<String> out = new ArrayList<>();
    for (Object o : a) {
      if (!(o instanceof String s)) {
        throw new ConfigException(key(name), "must be an array of strings, got " + shown(name, o));
      }
      out.add(s);
    }
    return List.copyOf(out);
  }

  public <E extends Enum<E> & ConfigChoice> E choice(String name, Class<E> type) {
    Object v = value(name);
    if (!(v instanceof String s)) {
      throw new ConfigException(key(name), (v == null ? "is required" : "must be a string, got " + shown(name, v))
          + "; allowed values: " + ConfigChoice.allowed(type));
    }
    return ConfigChoice.parse(type, key(name), s);
  }

  public boolean bool(String name) {
    Object v = value(name);
    if (!(v instanceof Boolean b)) {
      throw new ConfigException(key(name), "must be true or false, got " + shown(name, v));
    }
    return b;
  }

  public int integer(String name) {
    long n = number(name);
    if (n < Integer.MIN_VALUE || n > Integer.MAX_VALUE) {
      throw new ConfigException(key(name), n + " is out of range; allowed: at most " + Integer.MAX_VALUE);
    }
    return (int) n;
  }

  /** An integer that may be null (the default is derived, see the record). */
  public Integer optionalInteger(String name) {
    return value(name) == null ? null : integer(name);
  }

  public long number(String name) {
    Object v = value(name);
    if (v instanceof Number num && num.doubleValue() == Math.rint(num.doubleValue())
        && Math.abs(num.doubleValue()) < 0x1p63) {
      return num.longValue();
    }
    throw new ConfigException(key(name), "must be an integer, got " + shown(name, v));
  }

  public double decimal(String name) {
    Object v = value(name);
    if (!(v instanceof Number num)) {
      throw new ConfigException(key(name), "must be a number, got " + shown(name, v));
    }
    return num.doubleValue();
  }

  /** A number that may be null (the default is derived, see the record). */
  public Double optionalDecimal(String name) {
    return value(name) == null ? null : decimal(name);
  }

  /** A wrong value as a message may show it: never a secret's, and never more than 100 characters of one. */
  private String shown(String name, Object value) {
    String text = Secrets.show(key(name), value);
    return text.length() <= 100 ? text : text.substring(0, 100) + "...";
  }

  private Object value(String name) {
    if (!node.containsKey(name)) {
      throw new IllegalStateException(key(name) + ": not in the merged config tree; every setting needs a default "
          + "in defaults.json (and every list entry's setting one in its listItemDefaults)");
    }
    return node.getValue(name);
  }

  /** {@code limits.policies[2].routes[0]} -> {@code limits.policies[].routes[]}. */
  private static String generic(String key) {
    return INDEX.matcher(key).replaceAll("[]");
  }
}
