package io.spillway.web;

import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * Ids travel as decimal strings in the API (JavaScript numbers cannot hold 64 bits); page cursors are
 * opaque base64url tokens over the last id of a page.
 */
public final class Ids {
  private static final String CURSOR_PREFIX = "c1:";

  private Ids() {}

  /** The id, or -1 when {@code text} is not a positive decimal 64-bit integer. */
  /**
   * The id with its bits mixed (splitmix64's finalizer: a bijection, so two ids never collide), for hash keys.
   * Ids are a time, a shard and a sequence side by side: {@code Long.hashCode} of such ids folds them onto a
   * few buckets (2,000 ids of one second land in 128 of a 4,096-slot table), and every map keyed by them
   * degrades into long chains.
   */
  public static long spread(long id) {
    long z = (id ^ (id >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }

  public static long parse(String text) {
    if (text == null || text.isEmpty() || text.length() > 19) {
      return -1;
    }
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c < '0' || c > '9') {
        return -1;
      }
    }
    try {
      long id = Long.parseLong(text);
      return id > 0 ? id : -1;
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  public static String format(long id) {
    return Long.toString(id);
  }

  public static String cursor(long lastId) {
    return Base64.getUrlEncoder().withoutPadding()
        .encodeToString((CURSOR_PREFIX + lastId).getBytes(StandardCharsets.US_ASCII));
  }

  /** The id a cursor points after, or -1 when it is not a cursor this server made. */
  public static long parseCursor(String cursor) {
    if (cursor == null || cursor.isEmpty() || cursor.length() > 64) {
      return -1;
    }
    try {
      String text = new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.US_ASCII);
      return text.startsWith(CURSOR_PREFIX) ? parse(text.substring(CURSOR_PREFIX.length())) : -1;
    } catch (IllegalArgumentException e) {
      return -1;
    }
  }
}
