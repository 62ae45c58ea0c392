package io.spillway.events;

/**
 * A channel of committed events: {@code posts:{authorId}} (an author's posts), {@code post:{postId}} (a post's
 * comments and likes), both public, and {@code user:{userId}} (notifications), private to that user. The data
 * layer writes events to channels; the push delivers them to the subscribers of each channel. The channel's
 * name is the Kafka record key, so one channel's events stay in order.
 */
public record Channel(Kind kind, long id) {
  /** The kinds of channel, by the prefix of their names. */
  public enum Kind {
    POSTS("posts"),
    POST("post"),
    USER("user");

    private final String prefix;

    Kind(String prefix) {
      this.prefix = prefix;
    }

    public String prefix() {
      return prefix;
    }
  }

  private static final int MAX_NAME = 64;

  public Channel {
    if (kind == null || id <= 0) {
      throw new IllegalArgumentException("a channel needs a kind and a positive id");
    }
  }

  public static Channel posts(long authorId) {
    return new Channel(Kind.POSTS, authorId);
  }

  public static Channel post(long postId) {
    return new Channel(Kind.POST, postId);
  }

  public static Channel user(long userId) {
    return new Channel(Kind.USER, userId);
  }

  /** The channel {@code name} names, or null when it is not a channel name ({@code kind:positive decimal id}). */
  public static Channel parse(String name) {
    if (name == null || name.length() > MAX_NAME) {
      return null;
    }
    int colon = name.indexOf(':');
    if (colon < 0) {
      return null;
    }
    String prefix = name.substring(0, colon);
    String digits = name.substring(colon + 1);
    if (digits.isEmpty() || digits.length() > 19 || digits.charAt(0) == '0') {
      return null;
    }
    for (int i = 0; i < digits.length(); i++) {
      char c = digits.charAt(i);
      if (c < '0' || c > '9') {
        return null;
      }
    }
    long id;
    try {
      id = Long.parseLong(digits);
    } catch (NumberFormatException e) {
      return null;
    }
    for (Kind k : Kind.values()) {
      if (k.prefix.equals(prefix)) {
        return new Channel(k, id);
      }
    }
    return null;
  }

  /** Private channels ({@code user:{id}}) may only be followed by their user. */
  public boolean readableBy(Long userId) {
    return kind != Kind.USER || (userId != null && userId == id);
  }

  public String name() {
    return kind.prefix + ":" + id;
  }

  @Override
  public String toString() {
    return name();
  }
}
