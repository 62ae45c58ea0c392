package io.spillway.config;

/**
 * How much a request matters when the node cannot serve everything ({@code shed.routes[].priority}). Under
 * overload {@link #SHEDDABLE} is refused first, {@link #NORMAL} waits briefly for a slot, {@link #CRITICAL} may
 * use capacity held back for it. It lives here so the config can name it and the shedder can use it as is.
 */
public enum Priority implements ConfigChoice {
  /** Must get through: sign-in, writes. */
  CRITICAL,
  /** Ordinary reads; the default for routes no rule names. */
  NORMAL,
  /** Cheap to retry or to do without: feeds, long lists. */
  SHEDDABLE;

  private final String label = configName();

  /** The config and metric spelling: {@code critical}, {@code normal}, {@code sheddable}. */
  public String label() {
    return label;
  }
}
