package io.spillway.auth;

import com.github.benmanes.caffeine.cache.Cache;
import io.spillway.config.AuthConfig;
import io.spillway.redis.LuaScript;
import io.spillway.web.Caches;
import io.vertx.core.Future;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

/**
 * The failed-login throttle. An attempt takes its place in three logs before the password is checked (one
 * email from one address, the email, the address) and gives it back when the password was right; a wrong
 * password leaves it taken. All of it happens atomically in Redis ({@code lua/login.lua}), so a burst of
 * concurrent guesses gets no further than the limits, however it is timed.
 *
 * <ul>
 *   <li>{@code auth.login.lockoutAfterFailures} failures of one email from one address within {@code
 *       windowSeconds} lock that pair out for {@code lockoutSeconds}, doubling with each lockout up to {@code
 *       maxLockoutSeconds}. Keyed by the pair, so nobody can lock an email out for everyone else;</li>
 *   <li>looser caps: {@code maxFailuresPerEmail} for one email from all addresses (a spread-out guessing of
 *       one account), {@code maxFailuresPerAddress} for one address over all emails (one address trying many
 *       accounts).</li>
 * </ul>
 *
 * <p>Emails and addresses are stored hashed. When Redis does not answer (error or 250 ms), the node decides
 * with an in-process twin of the same rules, so logins go on and guessing stays bounded per node.
 */
public final class LoginAttempts {
  private static final Logger LOG = LoggerFactory.getLogger(LoginAttempts.class);
  private static final LuaScript SCRIPT = LuaScript.ofResources(List.of("login"));
  private static final String PREFIX = "spillway:login:{login}:";
  private static final long REDIS_TIMEOUT_MS = 250;
  private static final long LOG_INTERVAL_MS = 10_000;

  /** One attempt's place in the logs, to give back or to leave. */
  public record Attempt(String id, List<String> keys, boolean local) {}

  /** The attempt was refused: {@code limit} is {@code login-lockout}, {@code login-failures-email} or {@code login-failures-address}. */
  public static final class Refused extends RuntimeException {
    private final String limit;
    private final long retryAfterSeconds;

    Refused(String limit, long retryAfterSeconds) {
      super(limit, null, false, false);
      this.limit = limit;
      this.retryAfterSeconds = retryAfterSeconds;
    }

    public String limit() {
      return limit;
    }

    public long retryAfterSeconds() {
      return retryAfterSeconds;
    }
  }

  private final Function<Request, Future<Response>> redis;
  private final AuthConfig.Login config;
  private final LocalLogs local;
  private final AtomicLong lastFailureLog = new AtomicLong(Long.MIN_VALUE / 2);

  public LoginAttempts(Function<Request, Future<Response>> redis, AuthConfig.Login config) {
    this.redis = redis;
    this.config = config;
    this.local = new LocalLogs(config);
  }

  /** Takes a place for an attempt on {@code email} from {@code address}, or fails with {@link Refused}. */
  public Future<Attempt> reserve(String email, String address) {
    String e = digest(email.toLowerCase(Locale.ROOT));
    String a = digest(address == null ? "unknown" : address);
    List<String> keys = List.of(PREFIX + "pair:" + e + ":" + a, PREFIX + "lock:" + e + ":" + a, PREFIX + "email:" + e,
        PREFIX + "addr:" + a);
    String id = UUID.randomUUID().toString();
    return SCRIPT.run(redis, keys, List.of("reserve", id, config.windowSeconds() * 1000L, config.lockoutAfterFailures(),
            config.lockoutSeconds() * 1000L, config.maxLockoutSeconds() * 1000L, config.maxFailuresPerEmail(),
            config.maxFailuresPerAddress()))
        .timeout(REDIS_TIMEOUT_MS, TimeUnit.MILLISECONDS)
        .map(r -> decided(r.get(0).toInteger() == 1, r.size() > 1 ? r.get(1).toString() : null,
            r.size() > 2 ? r.get(2).toLong() : 0, new Attempt(id, keys, false)))
        .recover(err -> {
          if (err instanceof Refused) {
            return Future.failedFuture(err);
          }
          failed(err);
          LocalLogs.Verdict v = local.reserve(keys, id, System.currentTimeMillis());
          return Future.succeededFuture(decided(v.admitted(), v.which(), v.retryMs(), new Attempt(id, keys, true)));
        });
  }

  /** The password was right: the attempt is given back and the pair's failures and lockouts forgotten. */
  public Future<Void> succeeded(Attempt attempt) {
    return release(attempt, "succeeded");
  }

  /** The attempt ended before the password was judged (a busy hasher, a failed lookup): it is given back. */
  public Future<Void> refund(Attempt attempt) {
    return release(attempt, "refund");
  }

  private Future<Void> release(Attempt attempt, String op) {
    if (attempt.local()) {
      local.release(attempt.keys(), attempt.id(), op.equals("succeeded"));
      return Future.succeededFuture();
    }
    return SCRIPT.run(redis, attempt.keys(), List.of(op, attempt.id(), 0, 0, 0, 0, 0, 0))
        .timeout(REDIS_TIMEOUT_MS, TimeUnit.MILLISECONDS)
        .<Void>mapEmpty()
        .otherwise(err -> {
          failed(err);
          return null;
        });
  }

  private static Attempt decided(boolean admitted, String which, long retryMs, Attempt attempt) {
    if (admitted) {
      return attempt;
    }
    String limit = switch (which) {
      case "pair" -> "login-lockout";
      case "email" -> "login-failures-email";
      default -> "login-failures-address";
    };
    throw new Refused(limit, Math.max(1, (retryMs + 999) / 1000));
  }

  private void failed(Throwable err) {
    long now = System.currentTimeMillis();
    long last = lastFailureLog.get();
    if (now - last >= LOG_INTERVAL_MS && lastFailureLog.compareAndSet(last, now)) {
      LOG.warn("login throttle: Redis did not answer ({}); failed logins are counted on this node only meanwhile",
          String.valueOf(err));
    }
  }

  /** Emails and addresses are not stored as they are: a Redis dump shows who tried to log in from where otherwise. */
  private static String digest(String text) {
    try {
      byte[] d = MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(d, 0, 16);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The in-process twin of {@code login.lua}, for while Redis does not answer. Bounded; one lock, logins are few. */
  static final class LocalLogs {
    record Verdict(boolean admitted, String which, long retryMs) {}

    private record Entry(String id, long at) {}

    private final AuthConfig.Login config;
    private final Cache<String, Deque<Entry>> logs;
    private final Cache<String, long[]> locks;

    LocalLogs(AuthConfig.Login config) {
      this.config = config;
      this.logs = Caches.builder().maximumSize(100_000)
          .expireAfterAccess(Duration.ofSeconds(config.windowSeconds())).build();
      this.locks = Caches.builder().maximumSize(100_000)
          .expireAfterWrite(Duration.ofSeconds(2L * config.maxLockoutSeconds())).build();
    }

    synchronized Verdict reserve(List<String> keys, String id, long now) {
      long window = config.windowSeconds() * 1000L;
      long[] lock = locks.get(keys.get(1), k -> new long[2]);
      if (now < lock[0]) {
        return new Verdict(false, "pair", lock[0] - now);
      }
      Deque<Entry> pair = log(keys.get(0), now - window);
      Deque<Entry> email = log(keys.get(2), now - window);
      Deque<Entry> address = log(keys.get(3), now - window);
      if (pair.size() >= config.lockoutAfterFailures()) {
        lock[1]++;
        long ms = (long) Math.min(config.lockoutSeconds() * 1000.0 * Math.pow(2, lock[1] - 1), config.maxLockoutSeconds() * 1000.0);
        lock[0] = now + ms;
        pair.clear();
        return new Verdict(false, "pair", ms);
      }
      if (email.size() >= config.maxFailuresPerEmail()) {
        return new Verdict(false, "email", Math.max(1, email.peekFirst().at() + window - now));
      }
      if (address.size() >= config.maxFailuresPerAddress()) {
        return new Verdict(false, "address", Math.max(1, address.peekFirst().at() + window - now));
      }
      Entry e = new Entry(id, now);
      pair.addLast(e);
      email.addLast(e);
      address.addLast(e);
      return new Verdict(true, null, 0);
    }

    synchronized void release(List<String> keys, String id, boolean succeeded) {
      for (int i : new int[] {0, 2, 3}) {
        Deque<Entry> log = logs.getIfPresent(keys.get(i));
        if (log != null) {
          log.removeIf(e -> e.id().equals(id));
        }
      }
      if (succeeded) {
        logs.invalidate(keys.get(0));
        locks.invalidate(keys.get(1));
      }
    }

    private Deque<Entry> log(String key, long since) {
      Deque<Entry> log = logs.get(key, k -> new ArrayDeque<>());
      while (!log.isEmpty() && log.peekFirst().at() <= since) {
        log.pollFirst();
      }
      return log;
    }
  }
}
