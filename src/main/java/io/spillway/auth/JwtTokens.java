package io.spillway.auth;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Expiry;
import io.spillway.config.ConfigException;
import io.spillway.config.JwtConfig;
import io.spillway.web.Caches;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.JWTOptions;
import io.vertx.ext.auth.PubSecKeyOptions;
import io.vertx.ext.auth.authentication.TokenCredentials;
import io.vertx.ext.auth.impl.jose.JWK;
import io.vertx.ext.auth.jwt.JWTAuth;
import io.vertx.ext.auth.jwt.JWTAuthOptions;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * Verifies and issues JWTs with the keys from config. A token is first checked against the configuration
 * alone ({@link TokenHeader}: compact form, {@code alg} exactly the configured one, no {@code crit}, no key of
 * its own), then the library verifies its signature with the configured keys, then {@code exp}, {@code nbf},
 * {@code iss} and {@code aud} are checked with the configured leeway.
 *
 * <p>The keys: the HS256 secret, or for RS256/ES256 the PEM public keys, a JWK set file and a JWK set URL
 * ({@link JwksSource}). A node that ends up with no key able to verify tokens of its algorithm does not start.
 */
public final class JwtTokens {
  private static final int CACHE_CAPACITY = 10_000;

  /** A verified token's principal, good until {@code validUntilMs} (epoch ms: its {@code exp} plus the leeway). */
  private record Verified(Principal principal, long validUntilMs) {}

  /** Each entry lives until its own token expires. */
  private static final class UntilTokenExpiry implements Expiry<String, Verified> {
    @Override
    public long expireAfterCreate(String token, Verified v, long currentTime) {
      return TimeUnit.MILLISECONDS.toNanos(Math.max(0, v.validUntilMs() - System.currentTimeMillis()));
    }

    @Override
    public long expireAfterUpdate(String token, Verified v, long currentTime, long currentDuration) {
      return expireAfterCreate(token, v, currentTime);
    }

    @Override
    public long expireAfterRead(String token, Verified v, long currentTime, long currentDuration) {
      return currentDuration;
    }
  }

  /** The library's provider for one version of the keys, and the key ids it holds. */
  private record Verifier(JWTAuth auth, Set<String> kids, long version) {}

  // Bounded by size (least useful tokens go first, never the whole cache at once) and by each token's expiry.
  private final Cache<String, Verified> verified = Caches.builder()
      .maximumSize(CACHE_CAPACITY)
      .expireAfter(new UntilTokenExpiry())
      .build();
  private final Vertx vertx;
  private final JwtConfig config;
  private final boolean canIssue;
  private final List<PubSecKeyOptions> configuredKeys;
  private final List<JsonObject> fileKeys;
  private final JwksSource source;
  private volatile Verifier verifier;

  /** Keys from config only; a config with {@code jwt.jwksUri} needs {@link #start}. */
  public JwtTokens(Vertx vertx, JwtConfig config) {
    this(vertx, config, null);
    if (!config.jwksUri().isEmpty()) {
      throw new IllegalStateException("jwt.jwksUri is set: create the verifier with JwtTokens.start");
    }
  }

  private JwtTokens(Vertx vertx, JwtConfig config, JwksSource source) {
    this.vertx = vertx;
    this.config = config;
    this.source = source;
    this.configuredKeys = configuredKeys(config);
    this.fileKeys = config.algorithm().equals("HS256") || config.jwksFile().isBlank() ? List.of()
        : JwtKeys.usable(JwtKeys.readFile(config.jwksFile()), config.algorithm());
    this.verifier = build(source == null ? 0 : source.current().version());
    this.canIssue = config.algorithm().equals("HS256") || !config.privateKey().isBlank();
  }

  /**
   * A verifier for {@code config}; with a {@code jwt.jwksUri}, once the node's first fetch of it has succeeded
   * (it fails, and so does the start, when the set cannot be fetched or has no usable key).
   */
  public static Future<JwtTokens> start(Vertx vertx, JwtConfig config) {
    if (config.jwksUri().isEmpty()) {
      try {
        return Future.succeededFuture(new JwtTokens(vertx, config));
      } catch (RuntimeException e) {
        return Future.failedFuture(e);
      }
    }
    JwksSource source = JwksSource.shared(vertx, config);
    return source.started().map(keys -> new JwtTokens(vertx, config, source));
  }

  private static List<PubSecKeyOptions> configuredKeys(JwtConfig config) {
    List<PubSecKeyOptions> keys = new ArrayList<>();
    if (config.algorithm().equals("HS256")) {
      keys.add(new PubSecKeyOptions().setAlgorithm("HS256").setBuffer(config.secret()));
      return keys;
    }
    for (String pem : config.publicKeys()) {
      keys.add(new PubSecKeyOptions().setAlgorithm(config.algorithm()).setBuffer(pem));
    }
    if (!config.privateKey().isBlank()) {
      keys.add(new PubSecKeyOptions().setAlgorithm(config.algorithm()).setBuffer(config.privateKey()));
    }
    return keys;
  }

  /** The library's provider over every key there is now; a set that cannot verify anything stops here. */
  private Verifier build(long version) {
    List<JsonObject> jwks = new ArrayList<>(fileKeys);
    if (source != null) {
      jwks.addAll(source.current().keys());
    }
    int verifying = jwks.size();
    for (PubSecKeyOptions key : configuredKeys) {
      try {
        if (key.getAlgorithm().equals("HS256") || new JWK(key).publicKey() != null) {
          verifying++;
        }
      } catch (RuntimeException e) {
        throw new ConfigException("jwt: a configured key cannot be used: " + e.getMessage(), e);
      }
    }
    if (verifying == 0) {
      throw new ConfigException("jwt: no key can verify " + config.algorithm() + " tokens (jwt.publicKeys, "
          + "jwt.jwksFile and jwt.jwksUri hold none); a node without one would accept unsigned tokens");
    }
    JWTAuthOptions options = new JWTAuthOptions()
        .setJWTOptions(new JWTOptions()
            .setAlgorithm(config.algorithm())
            .setIssuer(config.issuer())
            .setAudience(List.of(config.audience()))
            .setLeeway(config.leewaySeconds()))
        .setPubSecKeys(configuredKeys)
        .setJwks(jwks);
    Set<String> kids = new HashSet<>();
    jwks.forEach(k -> {
      if (k.getValue("kid") instanceof String kid) {
        kids.add(kid);
      }
    });
    try {
      return new Verifier(JWTAuth.create(vertx, options), Set.copyOf(kids), version);
    } catch (RuntimeException e) {
      throw new ConfigException("jwt: the configured keys cannot be used: " + e.getMessage(), e);
    }
  }

  /**
   * The verified token's principal, or a failed future with a reason safe to show the client. A token that
   * verified is answered from a bounded cache until it expires: a client sends the same token on every
   * request, and the signature and claims cannot have changed (the cache is emptied when the keys change).
   */
  public Future<Principal> verify(String token) {
    Verifier v = current();
    Verified hit = verified.getIfPresent(token);
    if (hit != null) {
      return Future.succeededFuture(hit.principal());
    }
    JsonObject header;
    try {
      header = TokenHeader.check(token, config.algorithm());
    } catch (InvalidTokenException e) {
      return Future.failedFuture(e);
    }
    String kid = header.getString("kid");
    if (source != null && kid != null && !v.kids().contains(kid)) {
      // Perhaps the provider rotated: look again (rate-limited), then verify with whatever there is.
      return source.refreshForUnknownKid().compose(keys -> verifyWith(current(), token));
    }
    return verifyWith(v, token);
  }

  /** The verifier for the newest keys; a key change empties the cache of verified tokens. */
  private Verifier current() {
    Verifier v = verifier;
    if (source != null && source.current().version() != v.version()) {
      synchronized (this) {
        v = verifier;
        long version = source.current().version();
        if (version != v.version()) {
          v = build(version);
          verifier = v;
          verified.invalidateAll();
        }
      }
    }
    return v;
  }

  private Future<Principal> verifyWith(Verifier v, String token) {
    return verifyNow(v, token).onSuccess(p -> {
      if (verifier == v) {
        remember(token, p);
      }
    });
  }

  private void remember(String token, Principal principal) {
    long exp = principal.claims().getLong("exp");
    verified.put(token, new Verified(principal, (exp + config.leewaySeconds()) * 1000));
  }

  private Future<Principal> verifyNow(Verifier v, String token) {
    // compose() turns what the library throws on odd claims (e.g. "exp": null) into a failed future.
    return Future.succeededFuture(new TokenCredentials(token)).compose(v.auth()::authenticate)
        .recover(err -> Future.failedFuture(new InvalidTokenException(reason(err, token))))
        .compose(user -> {
          // The decoded payload is the "accessToken" attribute; the principal only holds the raw token.
          JsonObject claims = user.attributes().getJsonObject("accessToken", user.principal());
          long now = System.currentTimeMillis() / 1000;
          Long nbf = claims.getLong("nbf");
          if (nbf != null && nbf > now + config.leewaySeconds()) {
            return Future.failedFuture(new InvalidTokenException("the token is not valid yet"));
          }
          if (!(claims.getValue("exp") instanceof Number)) {
            return Future.failedFuture(new InvalidTokenException("the token has no expiry"));
          }
          String sub = claims.getString("sub");
          if (sub == null || sub.isBlank()) {
            return Future.failedFuture(new InvalidTokenException("the token has no subject"));
          }
          return Future.succeededFuture(new Principal(sub, claims));
        });
  }

  /** A signed access token for {@code subject}, valid for {@code jwt.tokenTtlSeconds}. */
  public String issue(String subject, JsonObject extraClaims) {
    if (!canIssue) {
      throw new IllegalStateException("jwt.privateKey is not set: this node verifies tokens but cannot issue them");
    }
    return current().auth().generateToken(extraClaims == null ? new JsonObject() : extraClaims.copy(), new JWTOptions()
        .setAlgorithm(config.algorithm())
        .setSubject(subject)
        .setIssuer(config.issuer())
        .setAudience(List.of(config.audience()))
        .setExpiresInSeconds(config.tokenTtlSeconds()));
  }

  public int ttlSeconds() {
    return config.tokenTtlSeconds();
  }

  /** The leeway a token's {@code exp} is given ({@code jwt.leewaySeconds}). */
  public int leewaySeconds() {
    return config.leewaySeconds();
  }

  private String reason(Throwable err, String token) {
    String m = String.valueOf(err.getMessage()).toLowerCase();
    if (m.contains("expired")) {
      // The library reports a future nbf as "expired" too; tell the client which it is.
      Long nbf = unverifiedClaims(token).getLong("nbf");
      return nbf != null && nbf > System.currentTimeMillis() / 1000 + config.leewaySeconds()
          ? "the token is not valid yet" : "the token has expired";
    }
    if (m.contains("issuer") || m.contains("iss")) {
      return "the token was issued by someone else";
    }
    if (m.contains("audience") || m.contains("aud")) {
      return "the token is not meant for this API";
    }
    return "the token is invalid";
  }

  /** The payload of a token whose signature already failed or passed; only used to explain a refusal. */
  private static JsonObject unverifiedClaims(String token) {
    try {
      String[] parts = token.split("\\.");
      return new JsonObject(new String(Base64.getUrlDecoder().decode(parts[1]), StandardCharsets.UTF_8));
    } catch (RuntimeException e) {
      return new JsonObject();
    }
  }
}
