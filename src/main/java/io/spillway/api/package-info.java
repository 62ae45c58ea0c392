/**
 * The REST API: one class per resource, thin, over the data layer; the OpenAPI contract the routes are checked
 * against and request bodies validated by; the v1 and v2 representations; the GraphQL endpoint
 * ({@code api.graphql}) and the reads it runs on.
 */
package io.spillway.api;
