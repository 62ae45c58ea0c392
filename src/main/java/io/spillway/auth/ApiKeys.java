package io.spillway.auth;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;

/**
 * API key format: {@code sk_<id>_<secret>}. The id (decimal) routes the lookup to the owner's shard; the
 * secret is 32 random bytes. Only SHA-256 of the whole key is stored: keys are high-entropy, so a fast hash
 * is enough, and it keeps authentication cheap.
 */
public final class ApiKeys {
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final int MAX_LENGTH = 128;

  private ApiKeys() {}

  /** A new key for {@code id}. */
  public static String generate(long id) {
    byte[] secret = new byte[32];
    RANDOM.nextBytes(secret);
    return "sk_" + id + "_" + Base64.getUrlEncoder().withoutPadding().encodeToString(secret);
  }

  /** What a key looks like in lists: enough to recognise it, useless to an attacker. */
  public static String prefix(String key) {
    // The id is decimal, so the first '_' after "sk_" ends it; the base64url secret may contain '_' itself.
    int secretStart = key.indexOf('_', 3) + 1;
    return key.substring(0, secretStart + 4) + "...";
  }

  /** The id a well-formed key names, or -1. */
  public static long idOf(String key) {
    if (key == null || key.length() > MAX_LENGTH || !key.startsWith("sk_")) {
      return -1;
    }
    int sep = key.indexOf('_', 3);
    if (sep < 0 || key.length() - sep - 1 != 43) {
      return -1;
    }
    try {
      long id = Long.parseLong(key.substring(3, sep));
      return id > 0 ? id : -1;
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  public static byte[] hash(String key) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.US_ASCII));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  static boolean matches(String key, byte[] storedHash) {
    return MessageDigest.isEqual(hash(key), storedHash);
  }
}
