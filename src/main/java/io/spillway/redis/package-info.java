/**
 * Redis plumbing shared by the limiter, the cache and the push: Lua scripts run by EVALSHA.
 */
package io.spillway.redis;
