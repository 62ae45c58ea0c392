package io.spillway.config;

/** A configuration value is missing or invalid. The message names the key and what is allowed. */
public final class ConfigException extends RuntimeException {
  private final String key;

  public ConfigException(String message) {
    super(message);
    this.key = null;
  }

  public ConfigException(String message, Throwable cause) {
    super(message, cause);
    this.key = null;
  }

  /** {@code key}: the full key ({@code http.port}; {@code limits.policies[].name} inside a list item). */
  public ConfigException(String key, String problem) {
    super(key + ": " + problem);
    this.key = key;
  }

  /** The key the problem is about, or null when the message is free-form. */
  String key() {
    return key;
  }

  /**
   * The same problem with its key moved from a list item's generic path to the item's real one: a record
   * cannot know where in a list it sits ({@code limits.policies[].limit}), the reader that built it can
   * ({@code limits.policies[2].limit}).
   */
  ConfigException at(String genericItem, String item) {
    if (key == null || !key.startsWith(genericItem)) {
      return this;
    }
    ConfigException moved = new ConfigException(item + key.substring(genericItem.length()),
        getMessage().substring(key.length() + 2));
    moved.setStackTrace(getStackTrace());
    return moved;
  }
}
