package io.spillway.config;

/**
 * Accounts and credentials: password hashing and the executor it runs on, the failed-login throttle, API keys
 * and the accounts' plans. Every key, its default and why: docs/security.md.
 *
 * @param passwordIterations     PBKDF2-HMAC-SHA256 iterations of new password hashes ({@code auth.passwordIterations})
 * @param apiKeyCacheSeconds     how long a node trusts a looked-up API key or account plan
 * @param apiKeyUsedFlushSeconds how often a node writes the {@code last_used_at} of the keys it saw
 * @param maxApiKeysPerAccount   active (not revoked) API keys one account may hold
 * @param defaultPlan            the plan of an account an administrator has not given one
 * @param hashing                the password-hashing executor
 * @param login                  the failed-login throttle
 */
public record AuthConfig(
    int passwordIterations,
    int apiKeyCacheSeconds,
    int apiKeyUsedFlushSeconds,
    int maxApiKeysPerAccount,
    String defaultPlan,
    Hashing hashing,
    Login login) {

  /** OWASP's PBKDF2-HMAC-SHA256 figure (Password Storage Cheat Sheet); fewer iterations only in dev mode. */
  public static final int OWASP_PBKDF2_ITERATIONS = 600_000;

  public AuthConfig {
    Check.range("auth.passwordIterations", passwordIterations, 1_000, 10_000_000);
    Check.range("auth.apiKeyCacheSeconds", apiKeyCacheSeconds, 0, 3600);
    Check.range("auth.apiKeyUsedFlushSeconds", apiKeyUsedFlushSeconds, 1, 3600);
    Check.range("auth.maxApiKeysPerAccount", maxApiKeysPerAccount, 1, 1000);
    if (defaultPlan == null || !Plans.valid(defaultPlan)) {
      throw new ConfigException("auth.defaultPlan", "'" + defaultPlan + "' " + Plans.RULE);
    }
    Check.present("auth.hashing", hashing);
    Check.present("auth.login", login);
  }

  /**
   * Password hashing runs on its own pool of {@code threads}, never on the event loops nor on the pool other
   * blocking work shares. At most {@code maxInFlight} hashes are running or waiting, at most {@code
   * maxInFlightPerClient} of them for one client (an address, IPv6 by /64); beyond that a request is answered
   * 503 with {@code Retry-After: retryAfterSeconds} at once.
   */
  public record Hashing(int threads, int maxInFlight, int maxInFlightPerClient, int retryAfterSeconds) {
    public Hashing {
      Check.range("auth.hashing.threads", threads, 1, 256);
      Check.range("auth.hashing.maxInFlight", maxInFlight, 1, 100_000);
      Check.range("auth.hashing.maxInFlightPerClient", maxInFlightPerClient, 1, 100_000);
      if (maxInFlightPerClient > maxInFlight) {
        throw new ConfigException("auth.hashing.maxInFlightPerClient", maxInFlightPerClient
            + " is more than auth.hashing.maxInFlight (" + maxInFlight + ")");
      }
      Check.range("auth.hashing.retryAfterSeconds", retryAfterSeconds, 1, 3600);
    }
  }

  /**
   * Failed logins, counted in Redis: an attempt takes a unit before the password is checked and gives it back
   * when the password was right. {@code lockoutAfterFailures} failures of one email from one address within
   * {@code windowSeconds} lock that pair out for {@code lockoutSeconds}, doubling with each lockout up to
   * {@code maxLockoutSeconds}; an email takes at most {@code maxFailuresPerEmail} failures from all addresses,
   * an address at most {@code maxFailuresPerAddress} over all emails, per window.
   */
  public record Login(int windowSeconds, int lockoutAfterFailures, int lockoutSeconds, int maxLockoutSeconds,
                      int maxFailuresPerEmail, int maxFailuresPerAddress) {
    public Login {
      Check.range("auth.login.windowSeconds", windowSeconds, 1, 86_400);
      Check.range("auth.login.lockoutAfterFailures", lockoutAfterFailures, 1, 10_000);
      Check.range("auth.login.lockoutSeconds", lockoutSeconds, 1, 86_400);
      Check.range("auth.login.maxLockoutSeconds", maxLockoutSeconds, 1, 7 * 86_400);
      if (maxLockoutSeconds < lockoutSeconds) {
        throw new ConfigException("auth.login.maxLockoutSeconds", maxLockoutSeconds
            + " is below auth.login.lockoutSeconds (" + lockoutSeconds + ")");
      }
      Check.range("auth.login.maxFailuresPerEmail", maxFailuresPerEmail, 1, 1_000_000);
      Check.range("auth.login.maxFailuresPerAddress", maxFailuresPerAddress, 1, 1_000_000);
    }
  }

  static AuthConfig from(ConfigReader r) {
    ConfigReader hashing = r.child("hashing");
    ConfigReader login = r.child("login");
    Integer threads = hashing.optionalInteger("threads");
    return new AuthConfig(
        r.integer("passwordIterations"),
        r.integer("apiKeyCacheSeconds"),
        r.integer("apiKeyUsedFlushSeconds"),
        r.integer("maxApiKeysPerAccount"),
        r.string("defaultPlan"),
        new Hashing(threads != null ? threads : Math.max(1, Runtime.getRuntime().availableProcessors() / 2),
            hashing.integer("maxInFlight"), hashing.integer("maxInFlightPerClient"), hashing.integer("retryAfterSeconds")),
        new Login(login.integer("windowSeconds"), login.integer("lockoutAfterFailures"), login.integer("lockoutSeconds"),
            login.integer("maxLockoutSeconds"), login.integer("maxFailuresPerEmail"), login.integer("maxFailuresPerAddress")));
  }
}
