package io.spillway.limit;

import io.spillway.redis.LuaScript;

import java.util.List;

/** The one Lua script every evaluation runs: the prelude, each algorithm's file and the driver, joined. */
final class LimitScript {
  static final List<String> FILES = List.of("prelude", "token-bucket", "gcra", "fixed-window",
      "sliding-window-log", "sliding-window-counter", "quota", "evaluate");

  private LimitScript() {}

  /** The algorithms with the lease driver instead of evaluate.lua. */
  static final List<String> LEASE_FILES = List.of("prelude", "token-bucket", "gcra", "fixed-window",
      "sliding-window-log", "sliding-window-counter", "quota", "lease");

  static LuaScript evaluate() {
    return LuaScript.ofResources(FILES);
  }

  static LuaScript lease() {
    return LuaScript.ofResources(LEASE_FILES);
  }
}
