package io.spillway.config;

/**
 * The checks the records' constructors make. Each failure names the key, so a record built from a file, the
 * environment, an admin request or a test says the same thing about the same mistake.
 */
final class Check {
  private Check() {}

  static int range(String key, int value, int min, int max) {
    if (value < min || value > max) {
      throw new ConfigException(key, value + " is out of range; allowed: " + min + ".." + max);
    }
    return value;
  }

  static long range(String key, long value, long min, long max) {
    if (value < min || value > max) {
      throw new ConfigException(key, value + " is out of range; allowed: " + min + ".." + max);
    }
    return value;
  }

  static double range(String key, double value, double min, double max) {
    if (!(value >= min && value <= max)) {
      throw new ConfigException(key, value + " is out of range; allowed: " + min + ".." + max);
    }
    return value;
  }

  static <T> T present(String key, T value) {
    if (value == null) {
      throw new ConfigException(key, "is required");
    }
    return value;
  }

  static String nonBlank(String key, String value) {
    if (value == null || value.isBlank()) {
      throw new ConfigException(key, "is required");
    }
    return value;
  }
}
