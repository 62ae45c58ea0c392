package io.spillway.config;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;

/**
 * JWT verification and issuing. HS256 uses {@code secret}; RS256 and ES256 verify with {@code publicKeys}
 * (PEM), a {@code jwksFile} and/or a {@code jwksUri} (fetched at start, refreshed every {@code
 * jwksRefreshSeconds} and on an unknown {@code kid}, at most once per {@code jwksMinRefreshSeconds}), and issue
 * with {@code privateKey} (PEM) when set.
 */
public record JwtConfig(
    String algorithm, String secret, List<String> publicKeys, String privateKey, String jwksFile,
    String jwksUri, int jwksRefreshSeconds, int jwksMinRefreshSeconds, int jwksTimeoutMs,
    String issuer, String audience, int leewaySeconds, int tokenTtlSeconds) {

  /** The secret shipped in conf/config.json for local development; refused outside dev mode. */
  public static final String SAMPLE_SECRET = "dev-only-sample-secret-do-not-use-in-production";
  /** Shortest HS256 secret: the key must be as long as the hash (RFC 7518 3.2). */
  public static final int MIN_SECRET_BYTES = 32;
  private static final Set<String> ALGORITHMS = Set.of("HS256", "RS256", "ES256");

  public JwtConfig {
    if (!ALGORITHMS.contains(algorithm)) {
      throw new ConfigException("jwt.algorithm", "'" + algorithm + "' is not allowed; allowed values: "
          + String.join(", ", ALGORITHMS.stream().sorted().toList()));
    }
    Check.present("jwt.secret", secret);
    publicKeys = List.copyOf(publicKeys);
    Check.present("jwt.privateKey", privateKey);
    Check.present("jwt.jwksFile", jwksFile);
    Check.present("jwt.jwksUri", jwksUri);
    if (algorithm.equals("HS256") && secret.getBytes(StandardCharsets.UTF_8).length < MIN_SECRET_BYTES) {
      throw new ConfigException("jwt.secret", "HS256 needs a secret of at least " + MIN_SECRET_BYTES
          + " bytes (e.g. the output of `openssl rand -base64 32`)");
    }
    if (!algorithm.equals("HS256") && publicKeys.isEmpty() && jwksFile.isBlank() && jwksUri.isBlank()) {
      throw new ConfigException("jwt.publicKeys", algorithm + " needs jwt.publicKeys (PEM), jwt.jwksFile or jwt.jwksUri");
    }
    if (!jwksUri.isEmpty() && !jwksUri.startsWith("https://") && !jwksUri.startsWith("http://")) {
      throw new ConfigException("jwt.jwksUri", "'" + Secrets.redactUri(jwksUri) + "' is not an http(s) URL");
    }
    Check.range("jwt.jwksRefreshSeconds", jwksRefreshSeconds, 1, 86_400);
    Check.range("jwt.jwksMinRefreshSeconds", jwksMinRefreshSeconds, 1, 3600);
    Check.range("jwt.jwksTimeoutMs", jwksTimeoutMs, 100, 60_000);
    Check.present("jwt.issuer", issuer);
    Check.present("jwt.audience", audience);
    Check.range("jwt.leewaySeconds", leewaySeconds, 0, 3600);
    Check.range("jwt.tokenTtlSeconds", tokenTtlSeconds, 60, 30 * 86_400);
  }

  /** Keys from config only (no JWKS URL), with the shipped refresh settings. */
  public JwtConfig(String algorithm, String secret, List<String> publicKeys, String privateKey, String jwksFile,
                   String issuer, String audience, int leewaySeconds, int tokenTtlSeconds) {
    this(algorithm, secret, publicKeys, privateKey, jwksFile, "", 600, 30, 5000, issuer, audience, leewaySeconds,
        tokenTtlSeconds);
  }

  static JwtConfig from(ConfigReader r) {
    return new JwtConfig(r.string("algorithm"), r.string("secret"), r.strings("publicKeys"), r.string("privateKey"),
        r.string("jwksFile"), r.string("jwksUri"), r.integer("jwksRefreshSeconds"), r.integer("jwksMinRefreshSeconds"),
        r.integer("jwksTimeoutMs"), r.string("issuer"), r.string("audience"), r.integer("leewaySeconds"),
        r.integer("tokenTtlSeconds"));
  }

  /** Without the secret and the private key: a record's text may end up in a log line. */
  @Override
  public String toString() {
    return "JwtConfig[algorithm=" + algorithm + ", publicKeys=" + publicKeys.size() + ", jwksFile=" + jwksFile
        + ", jwksUri=" + Secrets.redactUri(jwksUri) + ", issuer=" + issuer + ", audience=" + audience + "]";
  }
}
