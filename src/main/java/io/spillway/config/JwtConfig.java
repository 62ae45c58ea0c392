package io.spillway.config;

import java.util.List;
import java.util.Set;

/**
 * JWT verification and issuing. HS256 uses {@code secret}; RS256 and ES256 verify with {@code publicKeys}
 * (PEM) or a {@code jwksFile}, and issue with {@code privateKey} (PEM) when set.
 */
public record JwtConfig(
    String algorithm, String secret, List<String> publicKeys, String privateKey, String jwksFile,
    String issuer, String audience, int leewaySeconds, int tokenTtlSeconds) {

  /** The secret shipped in conf/config.json for local development; refused outside dev mode. */
  public static final String SAMPLE_SECRET = "dev-only-sample-secret-do-not-use-in-production";
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
    if (algorithm.equals("HS256") && secret.length() < 32) {
      throw new ConfigException("jwt.secret", "HS256 needs a secret of at least 32 characters");
    }
    if (!algorithm.equals("HS256") && publicKeys.isEmpty() && jwksFile.isBlank()) {
      throw new ConfigException("jwt.publicKeys", algorithm + " needs jwt.publicKeys (PEM) or jwt.jwksFile");
    }
    Check.present("jwt.issuer", issuer);
    Check.present("jwt.audience", audience);
    Check.range("jwt.leewaySeconds", leewaySeconds, 0, 3600);
    Check.range("jwt.tokenTtlSeconds", tokenTtlSeconds, 60, 30 * 86_400);
  }

  static JwtConfig from(ConfigReader r) {
    return new JwtConfig(r.string("algorithm"), r.string("secret"), r.strings("publicKeys"), r.string("privateKey"),
        r.string("jwksFile"), r.string("issuer"), r.string("audience"), r.integer("leewaySeconds"),
        r.integer("tokenTtlSeconds"));
  }

  @Override
  public String toString() {
    return "JwtConfig[algorithm=" + algorithm + ", issuer=" + issuer + ", audience=" + audience + "]";
  }
}
