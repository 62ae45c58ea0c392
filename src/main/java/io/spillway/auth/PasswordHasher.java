package io.spillway.auth;

import io.vertx.core.Future;
import io.vertx.core.Vertx;

import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;

/**
 * PBKDF2-HMAC-SHA256 password hashes ({@code pbkdf2-sha256$iterations$salt$hash}). Hashing is slow on
 * purpose, so it always runs on a worker thread, never on an event loop. Verifying an unknown user still
 * costs one hash, so a wrong email and a wrong password take the same time.
 */
public final class PasswordHasher {
  private static final String PREFIX = "pbkdf2-sha256";
  private static final SecureRandom RANDOM = new SecureRandom();

  private final Vertx vertx;
  private final int iterations;
  private volatile String dummyHash;

  public PasswordHasher(Vertx vertx, int iterations) {
    this.vertx = vertx;
    this.iterations = iterations;
  }

  public Future<String> hash(String password) {
    return vertx.executeBlocking(() -> hashNow(password, iterations), false);
  }

  /** True when {@code password} matches {@code stored}; a null {@code stored} (no such user) never matches. */
  public Future<Boolean> verify(String password, String stored) {
    return vertx.executeBlocking(() -> {
      boolean matches = matches(password, stored == null ? dummyHash() : stored);
      return stored != null && matches;
    }, false);
  }

  private String dummyHash() {
    String h = dummyHash;
    if (h == null) {
      h = hashNow("not-a-real-password", iterations);
      dummyHash = h;
    }
    return h;
  }

  /** Hashes on the calling thread: only for start-up work off the event loop (seeding). */
  public static String hashNow(String password, int iterations) {
    byte[] salt = new byte[16];
    RANDOM.nextBytes(salt);
    byte[] hash = derive(password, salt, iterations);
    Base64.Encoder b64 = Base64.getEncoder().withoutPadding();
    return PREFIX + "$" + iterations + "$" + b64.encodeToString(salt) + "$" + b64.encodeToString(hash);
  }

  static boolean matches(String password, String stored) {
    String[] parts = stored.split("\\$");
    if (parts.length != 4 || !parts[0].equals(PREFIX)) {
      return false;
    }
    Base64.Decoder b64 = Base64.getDecoder();
    byte[] expected = b64.decode(parts[3]);
    byte[] actual = derive(password, b64.decode(parts[2]), Integer.parseInt(parts[1]));
    return MessageDigest.isEqual(expected, actual);
  }

  private static byte[] derive(String password, byte[] salt, int iterations) {
    try {
      PBEKeySpec spec = new PBEKeySpec(password.toCharArray(), salt, iterations, 256);
      return SecretKeyFactory.getInstance("PBKDF2WithHmacSHA256").generateSecret(spec).getEncoded();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("PBKDF2WithHmacSHA256 is not available", e);
    }
  }
}
