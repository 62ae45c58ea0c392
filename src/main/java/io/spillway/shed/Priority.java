package io.spillway.shed;

import java.util.Locale;

/**
 * How much a request matters when the node cannot serve everything. Under overload {@link #SHEDDABLE} is
 * refused first, {@link #NORMAL} waits briefly for a slot, {@link #CRITICAL} may use capacity held back for it.
 */
public enum Priority {
  /** Must get through: sign-in, writes. */
  CRITICAL,
  /** Ordinary reads; the default for routes no rule names. */
  NORMAL,
  /** Cheap to retry or to do without: feeds, long lists. */
  SHEDDABLE;

  private final String label = name().toLowerCase(Locale.ROOT);

  /** The config and metric spelling: {@code critical}, {@code normal}, {@code sheddable}. */
  public String label() {
    return label;
  }

  public static Priority of(String label) {
    return valueOf(label.toUpperCase(Locale.ROOT));
  }
}
