package io.spillway.config;

import java.time.Instant;
import java.time.format.DateTimeParseException;

/**
 * The API surface: how requests are checked against the OpenAPI contract, the life cycle of {@code /v1}, and
 * the limits of a GraphQL request.
 *
 * @param validateReads      validate GET requests against the contract too ({@code api.validateReads}); bodies of
 *                           writes always are. Off by default: it measured too costly on the hot path (docs/api.md)
 * @param v1Deprecation      when /v1 was deprecated: the {@code Deprecation} header, or null for none
 *                           ({@code api.v1.deprecation}, an ISO-8601 instant)
 * @param v1Sunset           when /v1 stops answering: the {@code Sunset} header, or null for none
 *                           ({@code api.v1.sunset}); not before the deprecation
 * @param v1DeprecationLink  where the deprecation is explained: a {@code Link: <...>; rel="deprecation"}, or ""
 *                           for none ({@code api.v1.deprecationLink})
 * @param graphqlEnabled     serve {@code /graphql} ({@code graphql.enabled})
 * @param graphqlMaxDepth    deepest field nesting a query may have ({@code graphql.maxDepth})
 * @param graphqlMaxComplexity most objects a query may ask for, counting each list at its page size
 *                           ({@code graphql.maxComplexity})
 * @param graphqlComplexityPerUnit complexity that costs one rate-limit unit ({@code graphql.complexityPerUnit})
 * @param graphqlMaxQueryBytes longest query document ({@code graphql.maxQueryBytes})
 */
public record ApiConfig(
    boolean validateReads,
    Instant v1Deprecation,
    Instant v1Sunset,
    String v1DeprecationLink,
    boolean graphqlEnabled,
    int graphqlMaxDepth,
    int graphqlMaxComplexity,
    int graphqlComplexityPerUnit,
    int graphqlMaxQueryBytes) {

  public ApiConfig {
    if (v1Deprecation != null && v1Sunset != null && v1Sunset.isBefore(v1Deprecation)) {
      throw new ConfigException("api.v1.sunset", v1Sunset + " is before api.v1.deprecation (" + v1Deprecation
          + "); a version is deprecated before it is retired");
    }
    if (v1DeprecationLink == null || (!v1DeprecationLink.isEmpty() && !v1DeprecationLink.startsWith("/")
        && !v1DeprecationLink.startsWith("https://") && !v1DeprecationLink.startsWith("http://"))) {
      throw new ConfigException("api.v1.deprecationLink", "must be empty, a path (/...) or an http(s) URL, got "
          + v1DeprecationLink);
    }
    if (v1DeprecationLink.indexOf('>') >= 0 || v1DeprecationLink.indexOf(',') >= 0
        || v1DeprecationLink.chars().anyMatch(c -> c <= ' ')) {
      throw new ConfigException("api.v1.deprecationLink", "must not contain spaces, '>' or ','");
    }
    Check.range("graphql.maxDepth", graphqlMaxDepth, 2, 50);
    Check.range("graphql.maxComplexity", graphqlMaxComplexity, 1, 1_000_000);
    Check.range("graphql.complexityPerUnit", graphqlComplexityPerUnit, 1, 1_000_000);
    Check.range("graphql.maxQueryBytes", graphqlMaxQueryBytes, 64, 1 << 20);
  }

  static ApiConfig from(ConfigReader api, ConfigReader graphql) {
    ConfigReader v1 = api.child("v1");
    return new ApiConfig(
        api.bool("validateReads"),
        instant(v1, "deprecation"),
        instant(v1, "sunset"),
        v1.string("deprecationLink"),
        graphql.bool("enabled"),
        graphql.integer("maxDepth"),
        graphql.integer("maxComplexity"),
        graphql.integer("complexityPerUnit"),
        graphql.integer("maxQueryBytes"));
  }

  private static Instant instant(ConfigReader node, String name) {
    String text = node.optionalString(name);
    if (text == null || text.isEmpty()) {
      return null;
    }
    try {
      return Instant.parse(text);
    } catch (DateTimeParseException e) {
      throw new ConfigException(node.key(name), "must be an ISO-8601 instant like 2027-06-01T00:00:00Z, got " + text);
    }
  }
}
