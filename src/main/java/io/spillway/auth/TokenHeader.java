package io.spillway.auth;

import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Set;

/**
 * The checks a token passes before the JWT library sees it. The library decides by the token's own header
 * which algorithm and key to use, and with no usable key it accepts unsigned tokens; so the structure and
 * the header are checked here first, against the configuration only: a JWS in compact form (exactly three
 * non-empty base64url segments), {@code alg} exactly the configured algorithm, no {@code crit} (RFC 7515
 * 4.1.11: this server understands no extension, so a token that makes one critical must be refused), and no
 * key carried or pointed at by the token itself ({@code jwk}, {@code jku}, {@code x5u}, {@code x5c}): only
 * configured keys are trusted.
 */
final class TokenHeader {
  /** A header is a few dozen bytes; this bounds the work a hostile one can cause. */
  private static final int MAX_HEADER_CHARS = 1024;
  private static final int MAX_KID_CHARS = 256;
  private static final Set<String> EMBEDDED_KEYS = Set.of("jwk", "jku", "x5u", "x5c");

  private TokenHeader() {}

  /** The token's header, or an {@link InvalidTokenException} saying why the token is refused unread. */
  static JsonObject check(String token, String algorithm) {
    int first = token.indexOf('.');
    int second = first < 0 ? -1 : token.indexOf('.', first + 1);
    if (first <= 0 || second < 0 || token.indexOf('.', second + 1) >= 0) {
      throw new InvalidTokenException("the token is invalid: not a signed JWT (header.payload.signature)");
    }
    if (second == first + 1 || second == token.length() - 1) {
      throw new InvalidTokenException("the token is invalid: not a signed JWT (header.payload.signature)");
    }
    if (!base64url(token, 0, token.length(), first, second)) {
      throw new InvalidTokenException("the token is invalid: not a signed JWT (header.payload.signature)");
    }
    if (first > MAX_HEADER_CHARS) {
      throw new InvalidTokenException("the token is invalid: its header is too large");
    }
    JsonObject header;
    try {
      header = new JsonObject(new String(Base64.getUrlDecoder().decode(token.substring(0, first)), StandardCharsets.UTF_8));
    } catch (IllegalArgumentException | DecodeException | ClassCastException e) {
      throw new InvalidTokenException("the token is invalid: its header is not a JSON object");
    }
    Object alg = header.getValue("alg");
    if (!algorithm.equals(alg)) {
      throw new InvalidTokenException("the token is invalid: its algorithm is not " + algorithm);
    }
    if (header.containsKey("crit")) {
      throw new InvalidTokenException("the token is invalid: it makes header parameters critical that this server does not understand");
    }
    for (String embedded : EMBEDDED_KEYS) {
      if (header.containsKey(embedded)) {
        throw new InvalidTokenException("the token is invalid: it names its own key (" + embedded + "); only configured keys are trusted");
      }
    }
    Object kid = header.getValue("kid");
    if (kid != null && (!(kid instanceof String s) || s.isEmpty() || s.length() > MAX_KID_CHARS)) {
      throw new InvalidTokenException("the token is invalid: its kid is not a key id");
    }
    return header;
  }

  /** Every character but the two dots is of the base64url alphabet (no padding). */
  private static boolean base64url(String token, int from, int to, int dot1, int dot2) {
    for (int i = from; i < to; i++) {
      if (i == dot1 || i == dot2) {
        continue;
      }
      char c = token.charAt(i);
      if (!(c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '_')) {
        return false;
      }
    }
    return true;
  }
}
