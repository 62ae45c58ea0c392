package io.spillway.config;

import java.util.Arrays;
import java.util.Locale;

/**
 * A value picked from a fixed set, implemented by enums. In config a constant is spelled as its name in lower
 * case with hyphens ({@code TOKEN_BUCKET} is {@code token-bucket}) unless it says otherwise.
 */
public interface ConfigChoice {
  /** The enum constant's name; every enum has it. */
  String name();

  /** How config spells this value. */
  default String configName() {
    return name().toLowerCase(Locale.ROOT).replace('_', '-');
  }

  /** The constant spelled {@code text}, or a {@link ConfigException} on {@code key} listing the allowed values. */
  static <E extends Enum<E> & ConfigChoice> E parse(Class<E> type, String key, String text) {
    for (E e : type.getEnumConstants()) {
      if (e.configName().equals(text)) {
        return e;
      }
    }
    throw new ConfigException(key, "'" + text + "' is not allowed; allowed values: " + allowed(type));
  }

  /** The allowed spellings, sorted, comma-separated. */
  static <E extends Enum<E> & ConfigChoice> String allowed(Class<E> type) {
    return String.join(", ", Arrays.stream(type.getEnumConstants()).map(ConfigChoice::configName).sorted().toList());
  }
}
