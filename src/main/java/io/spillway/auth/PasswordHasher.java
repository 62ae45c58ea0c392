package io.spillway.auth;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.spillway.config.AuthConfig;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.shareddata.LocalMap;
import io.vertx.core.shareddata.Shareable;

import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Password hashes: PBKDF2-HMAC-SHA256 in the PHC string format ({@code $pbkdf2-sha256$i=600000,l=32$<salt>$<hash>},
 * standard base64 without padding), at {@code auth.passwordIterations} (OWASP's 600,000 by default). Hashes of
 * the earlier {@code pbkdf2-sha256$<iterations>$<salt>$<hash>} form still verify, and {@link #needsRehash} says
 * when a stored hash should be replaced at the next login.
 *
 * <p>Hashing is slow on purpose (tenths of a second of CPU each), so it runs on a pool of its own ({@code
 * auth.hashing.threads}), never on an event loop nor on the pool the rest of the blocking work shares. At
 * most {@code auth.hashing.maxInFlight} hashes run or wait, at most {@code maxInFlightPerClient} of them for
 * one client; beyond that a call fails at once with {@link Busy} (the API answers 503 with Retry-After): a
 * flood of logins costs a bounded share of the CPU and one client cannot take every slot.
 *
 * <p>Verifying for an unknown user costs one derivation with the current parameters, like a real one, so a
 * wrong email and a wrong password take the same time. One per node ({@link #shared}).
 */
public final class PasswordHasher implements Shareable {
  private static final String SHARED_MAP = "spillway.passwords";
  private static final String ID = "pbkdf2-sha256";
  private static final String PHC_PREFIX = "$" + ID + "$";
  private static final int HASH_BYTES = 32;
  private static final int SALT_BYTES = 16;
  private static final int MAX_STORED_ITERATIONS = 10_000_000;
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final Base64.Encoder B64 = Base64.getEncoder().withoutPadding();

  /** A hash refused because the executor is full (or the client holds its share): try again after {@code retryAfterSeconds}. */
  public static final class Busy extends RuntimeException {
    private final int retryAfterSeconds;

    Busy(String reason, int retryAfterSeconds) {
      super(reason, null, false, false);
      this.retryAfterSeconds = retryAfterSeconds;
    }

    public int retryAfterSeconds() {
      return retryAfterSeconds;
    }
  }

  private final int iterations;
  private final AuthConfig.Hashing limits;
  private final WorkerExecutor executor;
  private final AtomicInteger inFlight = new AtomicInteger();
  private final ConcurrentHashMap<String, Integer> perClient = new ConcurrentHashMap<>();
  private final byte[] dummySalt = new byte[SALT_BYTES];
  private final Counter hashed;
  private final Counter verified;
  private final Counter rejected;

  public PasswordHasher(Vertx vertx, int iterations, AuthConfig.Hashing limits, MeterRegistry registry) {
    this.iterations = iterations;
    this.limits = limits;
    this.executor = vertx.createSharedWorkerExecutor("spillway-password-hashing", limits.threads(), 5, TimeUnit.MINUTES);
    RANDOM.nextBytes(dummySalt);
    this.hashed = counter(registry, "hash", "done");
    this.verified = counter(registry, "verify", "done");
    this.rejected = counter(registry, "any", "rejected");
    if (registry != null) {
      Gauge.builder("spillway_password_hashing_inflight", inFlight, AtomicInteger::get)
          .description("Password hashes running or waiting on the hashing executor").register(registry);
    }
  }

  /** The node's hasher: one executor and one set of caps for every HttpVerticle. */
  public static PasswordHasher shared(Vertx vertx, AuthConfig config, MeterRegistry registry) {
    LocalMap<String, PasswordHasher> map = vertx.sharedData().getLocalMap(SHARED_MAP);
    return map.computeIfAbsent("node", k -> new PasswordHasher(vertx, config.passwordIterations(), config.hashing(), registry));
  }

  private static Counter counter(MeterRegistry registry, String operation, String result) {
    return registry == null ? null : Counter.builder("spillway_password_hashes_total")
        .description("Password hashing work: hashes made and verified, and calls refused because the executor was full")
        .tag("operation", operation).tag("result", result).register(registry);
  }

  /** A new hash of {@code password}; {@code client} (an address group, or null) is held to its share of the executor. */
  public Future<String> hash(String password, String client) {
    return run(client, () -> hashNow(password, iterations), hashed);
  }

  /** True when {@code password} matches {@code stored}; a null {@code stored} (no such user) never matches. */
  public Future<Boolean> verify(String password, String stored, String client) {
    return run(client, () -> {
      if (stored == null) {
        // As much work as a real verification, so the answer's timing does not tell whether the email exists.
        derive(password, dummySalt, iterations);
        return false;
      }
      return matches(password, stored);
    }, verified);
  }

  /** True when {@code stored} is not a PHC hash at the configured iterations: replace it at the next login. */
  public boolean needsRehash(String stored) {
    if (stored == null || !stored.startsWith(PHC_PREFIX)) {
      return true;
    }
    String[] parts = stored.split("\\$");
    return parts.length != 5 || !parts[2].equals("i=" + iterations + ",l=" + HASH_BYTES);
  }

  /** Hashes and verifications running or waiting now. */
  public int inFlight() {
    return inFlight.get();
  }

  private <T> Future<T> run(String client, Callable<T> work, Counter done) {
    if (inFlight.incrementAndGet() > limits.maxInFlight()) {
      inFlight.decrementAndGet();
      return refuse("the server is busy checking passwords; retry shortly");
    }
    if (client != null && !acquire(client)) {
      inFlight.decrementAndGet();
      return refuse("too many of your password checks are in progress; wait for one to finish");
    }
    return executor.executeBlocking(work, false).onComplete(ar -> {
      inFlight.decrementAndGet();
      if (client != null) {
        perClient.computeIfPresent(client, (k, n) -> n <= 1 ? null : n - 1);
      }
      if (done != null && ar.succeeded()) {
        done.increment();
      }
    });
  }

  private boolean acquire(String client) {
    boolean[] admitted = new boolean[1];
    perClient.compute(client, (k, n) -> {
      int count = n == null ? 0 : n;
      if (count >= limits.maxInFlightPerClient()) {
        return n;
      }
      admitted[0] = true;
      return count + 1;
    });
    return admitted[0];
  }

  private <T> Future<T> refuse(String reason) {
    if (rejected != null) {
      rejected.increment();
    }
    return Future.failedFuture(new Busy(reason, limits.retryAfterSeconds()));
  }

  /** Hashes on the calling thread: only for start-up work off the event loop (seeding). */
  public static String hashNow(String password, int iterations) {
    byte[] salt = new byte[SALT_BYTES];
    RANDOM.nextBytes(salt);
    byte[] hash = derive(password, salt, iterations);
    return PHC_PREFIX + "i=" + iterations + ",l=" + HASH_BYTES + "$" + B64.encodeToString(salt) + "$" + B64.encodeToString(hash);
  }

  /** Checks either form; anything malformed (or with absurd parameters) does not match. */
  static boolean matches(String password, String stored) {
    try {
      String[] parts = stored.split("\\$");
      byte[] salt;
      byte[] expected;
      int n;
      if (stored.startsWith(PHC_PREFIX) && parts.length == 5) {
        n = -1;
        for (String param : parts[2].split(",")) {
          if (param.startsWith("i=")) {
            n = Integer.parseInt(param.substring(2));
          }
        }
        salt = Base64.getDecoder().decode(parts[3]);
        expected = Base64.getDecoder().decode(parts[4]);
      } else if (parts.length == 4 && parts[0].equals(ID)) {
        n = Integer.parseInt(parts[1]);
        salt = Base64.getDecoder().decode(parts[2]);
        expected = Base64.getDecoder().decode(parts[3]);
      } else {
        return false;
      }
      if (n < 1 || n > MAX_STORED_ITERATIONS || expected.length != HASH_BYTES) {
        return false;
      }
      return MessageDigest.isEqual(expected, derive(password, salt, n));
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  private static byte[] derive(String password, byte[] salt, int iterations) {
    try {
      PBEKeySpec spec = new PBEKeySpec(password.toCharArray(), salt, iterations, HASH_BYTES * 8);
      return SecretKeyFactory.getInstance("PBKDF2WithHmacSHA256").generateSecret(spec).getEncoded();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("PBKDF2WithHmacSHA256 is not available", e);
    }
  }
}
