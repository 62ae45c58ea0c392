/**
 * Caching of hot reads between the REST handlers and the data layer: a per-node near cache (Caffeine), Redis
 * cache-aside of the encoded representations, one load per key at a time, and invalidation on every write,
 * by the writer at once and by every node from the committed events. See docs/caching.md.
 */
package io.spillway.cache;
