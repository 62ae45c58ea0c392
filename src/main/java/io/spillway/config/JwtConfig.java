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

  static JwtConfig from(ConfigReader r) {
    String alg = r.oneOf("algorithm", "HS256", Set.of("HS256", "RS256", "ES256"));
    String secret = r.string("secret", "");
    List<String> publicKeys = r.strings("publicKeys");
    String jwksFile = r.string("jwksFile", "");
    if (alg.equals("HS256") && secret.length() < 32) {
      throw new ConfigException(r.key("secret") + ": HS256 needs a secret of at least 32 characters");
    }
    if (!alg.equals("HS256") && publicKeys.isEmpty() && jwksFile.isBlank()) {
      throw new ConfigException(r.key("publicKeys") + ": " + alg + " needs jwt.publicKeys (PEM) or jwt.jwksFile");
    }
    return new JwtConfig(alg, secret, publicKeys, r.string("privateKey", ""), jwksFile,
        r.string("issuer", "spillway"), r.string("audience", "spillway-api"),
        r.integer("leewaySeconds", 30, 0, 3600), r.integer("tokenTtlSeconds", 3600, 60, 30 * 86_400));
  }
}
