/**
 * The REST API: one class per resource, thin, over the data layer; request validation and the JSON
 * representations.
 */
package io.spillway.api;
