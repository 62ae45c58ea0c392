package io.spillway.web;

import io.vertx.core.buffer.Buffer;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.Base64;

/** Strong entity tags for representations, and {@code If-None-Match} as RFC 9110 compares them. */
public final class ETags {
  private static final int MAX_HEADER = 4096;

  private ETags() {}

  /** A strong ETag: the first 128 bits of the SHA-256 of the bytes, base64url, quoted. */
  public static String of(Buffer bytes) {
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      byte[] digest = sha.digest(bytes.getBytes());
      return "\"" + Base64.getUrlEncoder().withoutPadding().encodeToString(Arrays.copyOf(digest, 16)) + "\"";
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * True when {@code ifNoneMatch} names {@code etag} (or is {@code *}): the client has this representation.
   * Weak comparison, as RFC 9110 asks for {@code If-None-Match}; an oversized header matches nothing.
   */
  public static boolean matches(String ifNoneMatch, String etag) {
    if (ifNoneMatch == null || etag == null || ifNoneMatch.length() > MAX_HEADER) {
      return false;
    }
    String strong = etag.startsWith("W/") ? etag.substring(2) : etag;
    int i = 0;
    int n = ifNoneMatch.length();
    while (i < n) {
      while (i < n && (ifNoneMatch.charAt(i) == ' ' || ifNoneMatch.charAt(i) == ',' || ifNoneMatch.charAt(i) == '\t')) {
        i++;
      }
      if (i >= n) {
        break;
      }
      if (ifNoneMatch.charAt(i) == '*') {
        return true;
      }
      if (ifNoneMatch.startsWith("W/", i)) {
        i += 2;
      }
      int start = i;
      if (i < n && ifNoneMatch.charAt(i) == '"') {
        int close = ifNoneMatch.indexOf('"', i + 1);
        if (close < 0) {
          return false;
        }
        i = close + 1;
      } else {
        while (i < n && ifNoneMatch.charAt(i) != ',') {
          i++;
        }
      }
      if (ifNoneMatch.regionMatches(start, strong, 0, strong.length()) && i - start == strong.length()) {
        return true;
      }
    }
    return false;
  }
}
