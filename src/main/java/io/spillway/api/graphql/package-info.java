/**
 * GraphQL at {@code /graphql}: the schema, the resolvers with their per-request batched loaders, and the
 * depth and complexity that limit a query and weigh it against the rate limits. Reads and writes go through
 * {@link io.spillway.api.graphql.GraphQlData}, which the REST API's package implements over the same cache and
 * data layer.
 */
package io.spillway.api.graphql;
