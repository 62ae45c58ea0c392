/**
 * Rate limiting: policies compiled from config, one Lua script for every algorithm in Redis, a local
 * fallback while Redis is down, and the RateLimit headers. It reads the caller from {@code web}.
 */
package io.spillway.limit;
