package io.spillway.auth;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import io.spillway.config.ConfigException;
import io.spillway.config.JwtConfig;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.JWTOptions;
import io.vertx.ext.auth.PubSecKeyOptions;
import io.vertx.ext.auth.authentication.TokenCredentials;
import io.vertx.ext.auth.jwt.JWTAuth;
import io.vertx.ext.auth.jwt.JWTAuthOptions;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Verifies and issues JWTs with the keys from config. Verification checks the signature with the configured
 * algorithm only ({@code alg: none} and other algorithms are refused), then {@code exp}, {@code nbf}, {@code
 * iss} and {@code aud} with the configured leeway.
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

  private final JWTAuth auth;
  // Bounded by size (least useful tokens go first, never the whole cache at once) and by each token's expiry.
  private final Cache<String, Verified> verified = Caffeine.newBuilder()
      .maximumSize(CACHE_CAPACITY)
      .expireAfter(new UntilTokenExpiry())
      .build();
  private final JwtConfig config;
  private final boolean canIssue;

  public JwtTokens(Vertx vertx, JwtConfig config) {
    this.config = config;
    JWTAuthOptions options = new JWTAuthOptions().setJWTOptions(new JWTOptions()
        .setAlgorithm(config.algorithm())
        .setIssuer(config.issuer())
        .setAudience(List.of(config.audience()))
        .setLeeway(config.leewaySeconds()));
    List<PubSecKeyOptions> keys = new ArrayList<>();
    if (config.algorithm().equals("HS256")) {
      keys.add(new PubSecKeyOptions().setAlgorithm("HS256").setBuffer(config.secret()));
    } else {
      for (String pem : config.publicKeys()) {
        keys.add(new PubSecKeyOptions().setAlgorithm(config.algorithm()).setBuffer(pem));
      }
      if (!config.privateKey().isBlank()) {
        keys.add(new PubSecKeyOptions().setAlgorithm(config.algorithm()).setBuffer(config.privateKey()));
      }
      if (!config.jwksFile().isBlank()) {
        options.setJwks(readJwks(config.jwksFile()));
      }
    }
    options.setPubSecKeys(keys);
    try {
      this.auth = JWTAuth.create(vertx, options);
    } catch (RuntimeException e) {
      throw new ConfigException("jwt: the configured keys cannot be used: " + e.getMessage(), e);
    }
    this.canIssue = config.algorithm().equals("HS256") || !config.privateKey().isBlank();
  }

  /**
   * The verified token's principal, or a failed future with a reason safe to show the client. A token that
   * verified is answered from a bounded cache until it expires: a client sends the same token on every
   * request, and the signature and claims cannot have changed.
   */
  public Future<Principal> verify(String token) {
    Verified hit = verified.getIfPresent(token);
    if (hit != null) {
      return Future.succeededFuture(hit.principal());
    }
    return verifyNow(token).onSuccess(p -> remember(token, p));
  }

  private void remember(String token, Principal principal) {
    long exp = principal.claims().getLong("exp");
    verified.put(token, new Verified(principal, (exp + config.leewaySeconds()) * 1000));
  }

  private Future<Principal> verifyNow(String token) {
    // compose() turns what the library throws on odd claims (e.g. "exp": null) into a failed future.
    return Future.succeededFuture(new TokenCredentials(token)).compose(auth::authenticate)
        .recover(err -> Future.failedFuture(new InvalidTokenException(reason(err, token))))
        .compose(user -> {
          // The decoded payload is the "accessToken" attribute; the principal only holds the raw token.
          JsonObject claims = user.attributes().getJsonObject("accessToken", user.principal());
          long now = System.currentTimeMillis() / 1000;
          Long nbf = claims.getLong("nbf");
          if (nbf != null && nbf > now + config.leewaySeconds()) {
            return Future.failedFuture(new InvalidTokenException("the token is not valid yet"));
          }
          if (claims.getValue("exp") == null) {
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
    return auth.generateToken(extraClaims == null ? new JsonObject() : extraClaims.copy(), new JWTOptions()
        .setAlgorithm(config.algorithm())
        .setSubject(subject)
        .setIssuer(config.issuer())
        .setAudience(List.of(config.audience()))
        .setExpiresInSeconds(config.tokenTtlSeconds()));
  }

  public int ttlSeconds() {
    return config.tokenTtlSeconds();
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

  private static List<JsonObject> readJwks(String file) {
    try {
      JsonObject doc = new JsonObject(Files.readString(Path.of(file)));
      JsonArray keys = doc.getJsonArray("keys", new JsonArray());
      List<JsonObject> out = new ArrayList<>();
      keys.forEach(k -> out.add((JsonObject) k));
      return out;
    } catch (IOException | RuntimeException e) {
      throw new ConfigException("jwt.jwksFile: cannot read a JWKS document from " + file + ": " + e.getMessage(), e);
    }
  }
}
