package io.spillway.testkit;

import io.spillway.config.ConfigReader;
import io.spillway.config.ConfigSource;
import io.vertx.core.json.JsonObject;

/**
 * Config for tests, always over the shipped defaults ({@code defaults.json}), merged as a config file is: a
 * test states only what it changes, and everything else is what a real node would run with.
 */
public final class ShippedConfig {
  private ShippedConfig() {}

  /** The whole tree: the shipped defaults under {@code overrides} (null: none). */
  public static JsonObject tree(JsonObject overrides) {
    return ConfigSource.merge(ConfigSource.defaults(), overrides);
  }

  /** One section ({@code "limits"}, {@code "shed"}, ...): its shipped defaults under {@code overrides}. */
  public static ConfigReader section(String name, JsonObject overrides) {
    return new ConfigReader(ConfigSource.merge(ConfigSource.defaults().getJsonObject(name), overrides), name);
  }
}
